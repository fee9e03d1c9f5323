// The SSE hub of one web process: a single XREAD BLOCK loop on the live stream fans each read batch
// out to every connected client. Clients with the same subscription form a group; each entry is
// serialized once, a batch becomes one byte chunk per group, and each client gets at most one write
// per batch, so the cost grows with groups and bytes, not clients × updates. A client whose buffer
// is full gets the newest update per (type, symbol, interval) when it drains (conflation), so it
// never stalls the others, and is cut off when it stays full; a client resuming with Last-Event-ID
// is backfilled from the stream, paced by its reads. Transports (node:http in the production web
// server, a web ReadableStream for Next's route and tests) plug in as an `SseSink`.
import { getConfig } from "../../adapters/config";
import {
  classifyResume,
  LIVE_STREAM_KEY,
  rangeLiveUpdates,
  getLiveRetention,
  readLiveUpdates,
  type LiveEntry,
} from "../../adapters/live-channel";
import { createLogger, type Logger } from "../../adapters/logger";
import { createRedis, type Redis } from "../../adapters/redis";
import { compareEventIds, ConflationBuffer, conflationKey, matchesSubscription, type LiveSubscription } from "../../core/live-updates";

export interface SseHubOptions {
  redisUrl: string;
  streamKey?: string;
  heartbeatMs: number;
  /** Bytes queued per client before its updates are conflated. */
  clientBufferBytes: number;
  conflationMaxKeys: number;
  maxClients: number;
  /** Connections one remote address may hold; unset = no per-address cap. */
  maxClientsPerAddress?: number;
  /** A client whose buffer stays at or over `clientBufferBytes` this long is cut off. */
  stalledClientTimeoutMs?: number;
  /** Entries per XREAD; a full batch is read on without pacing (a backlog). */
  readBatch?: number;
  /**
   * Share of one core the fan-out may take: after a fan-out that cost c ms (its writes included),
   * the next starts no sooner than c / share ms after it began, and what arrived meanwhile goes
   * out in it, merged. Cheap fan-outs (few clients) are not delayed at all.
   */
  fanOutCpuShare?: number;
  /** Upper bound of that pacing interval: past it the fan-out takes more CPU instead of adding latency. */
  maxFanOutIntervalMs?: number;
  /** Writes between yields to the event loop within one fan-out, so other requests are served meanwhile. */
  writesPerSlice?: number;
  /**
   * From this pacing interval on (thousands of clients), a fan-out sends only the newest update per
   * conflation key of what it merged (the rule slow clients get): fewer bytes for every client and
   * socket when the hub is busiest. Below it every update goes out.
   */
  conflateFromIntervalMs?: number;
  readBlockMs?: number;
  backfillPage?: number;
  /** Reconnect hint sent to EventSource clients (`retry:`). */
  retryMs?: number;
  log: Logger;
  /** Wall clock (ms), for heartbeats and stall timeouts. */
  nowMs?: () => number;
}

export type SnapshotReason = "too-old" | "unknown-id" | "overflow";

export interface SseHubStats {
  clients: number;
  /** Distinct subscriptions among the connected clients (one chunk per group and batch). */
  groups: number;
  /** Connections accepted since start. */
  connections: number;
  /** Connections refused because a cap was reached (both caps). */
  rejected: number;
  /** Of `rejected`, those refused by the per-address cap. */
  rejectedPerAddress: number;
  /** Clients cut off because their buffer stayed full for `stalledClientTimeoutMs`. */
  cutOff: number;
  /** Update events written to clients (live, conflated-then-flushed and backfilled). */
  eventsSent: number;
  /** Writes to client sinks (at most one per client and batch, plus heartbeats and backfill pages). */
  writes: number;
  /** Read batches fanned out. */
  batches: number;
  /** The pacing interval of the fan-out now (ms; see SseHubOptions.fanOutCpuShare). */
  fanOutIntervalMs: number;
  /** Smoothed CPU cost of one fan-out (ms). */
  fanOutCostMs: number;
  /** Updates left out of a paced fan-out because a newer one of the same key was in it. */
  conflatedInFanOut: number;
  /** Updates a slow client skipped because a newer one of the same key replaced them. */
  conflated: number;
  /** Updates lost when a slow client's conflation buffer overflowed (it was sent snapshot-required). */
  dropped: number;
  /** Updates sent from the stream's history to resuming clients. */
  backfilled: number;
  snapshotsRequired: Record<SnapshotReason, number>;
  /** Entries the reader loop read from Redis. */
  entriesRead: number;
  malformed: number;
  readErrors: number;
}

export type SseLimit = "global" | "per-address";

/** Thrown by open()/connect() when a connection cap is reached; nothing was written. */
export class SseHubFullError extends Error {
  constructor(
    readonly limit: SseLimit,
    readonly max: number,
  ) {
    super(
      limit === "global"
        ? `the live stream serves its maximum of ${max} connections per web process (SSE_MAX_CLIENTS); retry later`
        : `at most ${max} live-stream connections per client address (SSE_MAX_CLIENTS_PER_ADDRESS); close one or retry later`,
    );
    this.name = "SseHubFullError";
  }
}

/** Where one client's bytes go. */
export interface SseSink {
  write(chunk: Uint8Array): void;
  /** Bytes written but not yet taken by the peer (what the transport still holds). */
  readonly bufferedBytes: number;
  /** Ends the response normally. */
  end(): void;
  /** Cuts the connection (a stalled client). */
  destroy(): void;
}

/** What the transport tells the hub about one client. */
export interface SseClientHandle {
  /** The sink's buffer drained: it can take more. */
  drained(): void;
  /** The peer went away (or the response ended). */
  closed(): void;
}

export interface OpenOptions {
  /** Resume after this event id (Last-Event-ID). */
  lastEventId?: string;
  /** The peer's address, for the per-address cap; unset = not counted. */
  address?: string;
}

export interface ConnectOptions extends OpenOptions {
  /** The HTTP request whose abort ends the stream. The request, not its signal: undici links a
   * Request's signal to the caller's only while the Request itself is alive (a weak reference), so
   * holding the signal alone loses the abort once the Request is collected. */
  request?: Request;
}

/** An in-process reader of every entry the hub reads (the overview's sparkline snapshot). */
export interface LiveTap {
  /** The reader reads on from a known position: every entry added from now on reaches onEntries, in order. */
  onLive(): void;
  onEntries(entries: readonly LiveEntry[]): void;
  /** Entries may have been missed (a read failed) or the reader stopped; onLive follows when it reads on. */
  onGap(): void;
}

export interface SseHub {
  /**
   * Registers a client writing to `sink`; throws SseHubFullError (having written nothing) when a cap
   * is reached. Nothing is written before the caller's synchronous code ends, so a transport may
   * send its response head right after this returns.
   */
  open(sink: SseSink, subscription: LiveSubscription, options?: OpenOptions): SseClientHandle;
  /** Opens one client as a web byte stream (Next's route handler, tests); throws SseHubFullError when full. */
  connect(subscription: LiveSubscription, options?: ConnectOptions): ReadableStream<Uint8Array>;
  /** Hands every entry read to `tap` too, keeping the reader running while tapped; returns the untap function. */
  tap(tap: LiveTap): () => void;
  stats(): SseHubStats;
  /** Ends every client, stops the reader loop and closes the Redis connections. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const HEARTBEAT_FRAME = encoder.encode(": hb\n\n");
const EMPTY = new Uint8Array(0);

/** `id:`/`event:`/`data:` frame of one update; JSON normally has no newline, but a line break must not end the event. */
function updateFrame(entry: LiveEntry): Uint8Array {
  const data = /[\r\n]/.test(entry.json) ? entry.json.split(/\r\n|\r|\n/).join("\ndata: ") : entry.json;
  return encoder.encode(`id: ${entry.id}\nevent: ${entry.route.type}\ndata: ${data}\n\n`);
}

function controlFrame(event: string, id: string, data: object): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] ?? EMPTY;
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** The canonical text of a subscription: equal subscriptions share a group. */
function subscriptionKey(subscription: LiveSubscription): string {
  const list = (values: ReadonlySet<string> | null) => (values === null ? "*" : [...values].sort().join(","));
  return `${list(subscription.types)}|${list(subscription.symbols)}|${list(subscription.intervals)}`;
}

/** One read batch while it is fanned out: each entry's frame made at most once, entries indexed by symbol. */
class BatchView {
  readonly #frames: Array<Uint8Array | undefined>;
  #bySymbol: Map<string, number[]> | undefined;

  constructor(readonly entries: readonly LiveEntry[]) {
    this.#frames = new Array<Uint8Array | undefined>(entries.length);
  }

  frame(index: number): Uint8Array {
    let frame = this.#frames[index];
    if (frame === undefined) {
      frame = updateFrame(this.entries[index] as LiveEntry);
      this.#frames[index] = frame;
    }
    return frame;
  }

  /** Indexes (ascending) of the entries `subscription` wants. */
  match(subscription: LiveSubscription): number[] {
    const matched: number[] = [];
    const symbols = subscription.symbols;
    if (symbols !== null) {
      // A group naming fewer symbols than the batch holds looks only at its symbols' entries.
      this.#bySymbol ??= this.#indexBySymbol();
      if (symbols.size < this.#bySymbol.size) {
        for (const symbol of symbols) {
          const indexes = this.#bySymbol.get(symbol);
          if (indexes === undefined) continue;
          for (const index of indexes) if (matchesSubscription(subscription, (this.entries[index] as LiveEntry).route)) matched.push(index);
        }
        return matched.sort((a, b) => a - b);
      }
    }
    this.entries.forEach((entry, index) => {
      if (matchesSubscription(subscription, entry.route)) matched.push(index);
    });
    return matched;
  }

  chunk(indexes: readonly number[]): Uint8Array {
    return concatBytes(indexes.map((index) => this.frame(index)));
  }

  #indexBySymbol(): Map<string, number[]> {
    const bySymbol = new Map<string, number[]>();
    this.entries.forEach((entry, index) => {
      const indexes = bySymbol.get(entry.route.symbol);
      if (indexes === undefined) bySymbol.set(entry.route.symbol, [index]);
      else indexes.push(index);
    });
    return bySymbol;
  }
}

type ClientState = "starting" | "catching-up" | "live" | "closed";

/** The newest entry per conflation key, in id order (alerts and distinct candle windows all kept). */
function newestPerKey(entries: readonly LiveEntry[]): readonly LiveEntry[] {
  const seen = new Set<string>();
  const kept: LiveEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as LiveEntry;
    const key = conflationKey(entry.route, entry.id);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(entry);
  }
  return kept.length === entries.length ? entries : kept.reverse();
}

export function createSseHub(options: SseHubOptions): SseHub {
  const {
    redisUrl,
    streamKey = LIVE_STREAM_KEY,
    heartbeatMs,
    clientBufferBytes,
    conflationMaxKeys,
    maxClients,
    maxClientsPerAddress,
    stalledClientTimeoutMs = 30_000,
    readBatch = 2_000,
    fanOutCpuShare = 0.5,
    maxFanOutIntervalMs = 250,
    writesPerSlice = 100,
    conflateFromIntervalMs = 100,
    readBlockMs = 5_000,
    backfillPage = 500,
    retryMs = 2_000,
    log,
    nowMs = Date.now,
  } = options;

  const groups = new Map<string, Group>();
  const clients = new Set<Client>();
  const perAddress = new Map<string, number>();
  // Clients whose buffer is at or over the limit: checked against the stall timeout.
  const overflowed = new Set<Client>();
  const taps = new Set<LiveTap>();
  // Whether the taps have been told the reader reads on (onLive) and not told of a gap since.
  let tapsLive = false;
  const stats: SseHubStats = {
    clients: 0,
    groups: 0,
    connections: 0,
    rejected: 0,
    rejectedPerAddress: 0,
    cutOff: 0,
    eventsSent: 0,
    writes: 0,
    batches: 0,
    fanOutIntervalMs: 0,
    fanOutCostMs: 0,
    conflatedInFanOut: 0,
    conflated: 0,
    dropped: 0,
    backfilled: 0,
    snapshotsRequired: { "too-old": 0, "unknown-id": 0, overflow: 0 },
    entriesRead: 0,
    malformed: 0,
    readErrors: 0,
  };

  let closed = false;
  let reader: Redis | undefined;
  let query: Redis | undefined;
  // Id of the last entry fanned out: a client that turns live now gets exactly the entries after it.
  let position = "0-0";
  let starting: Promise<void> | undefined;
  let loop: Promise<void> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastHeartbeatMs = 0;
  const lastLogMs = { malformed: 0, overflow: 0, cutOff: 0 };
  const logLimited = (kind: keyof typeof lastLogMs, write: () => void) => {
    if (nowMs() - lastLogMs[kind] < 10_000) return;
    lastLogMs[kind] = nowMs();
    write();
  };

  interface Group {
    key: string;
    subscription: LiveSubscription;
    clients: Set<Client>;
  }

  class Client {
    state: ClientState = "starting";
    /** Last entry id handled for this client while catching up or just after. */
    position = "0-0";
    /** True while entries the reader fans out may already have been sent by backfill. */
    needsDedupe = false;
    readonly pending = new ConflationBuffer<Uint8Array>(conflationMaxKeys);
    /** Since when the sink's buffer has been at or over the limit (undefined: it is not). */
    overflowedSinceMs: number | undefined;
    lastWriteMs = nowMs();
    #wakeUp: (() => void) | undefined;

    constructor(
      readonly sink: SseSink,
      readonly group: Group,
      readonly address: string | undefined,
    ) {}

    get subscription(): LiveSubscription {
      return this.group.subscription;
    }

    get isClosed(): boolean {
      return this.state === "closed";
    }

    get writable(): boolean {
      return this.sink.bufferedBytes < clientBufferBytes;
    }

    write(chunk: Uint8Array, events: number): void {
      if (this.state === "closed" || chunk.byteLength === 0) return;
      this.sink.write(chunk);
      stats.writes++;
      stats.eventsSent += events;
      this.lastWriteMs = nowMs();
      if (!this.writable && this.overflowedSinceMs === undefined) {
        this.overflowedSinceMs = this.lastWriteMs;
        overflowed.add(this);
      }
    }

    /** The sink can take more: flush what was conflated, wake a backfill. */
    drained(): void {
      if (this.state === "closed") return;
      if (this.writable) {
        this.overflowedSinceMs = undefined;
        overflowed.delete(this);
      }
      this.flush();
      const wakeUp = this.#wakeUp;
      this.#wakeUp = undefined;
      wakeUp?.();
    }

    /** Resolves when the client can take more (or is closed). */
    waitWritable(): Promise<void> {
      if (this.writable || this.state === "closed") return Promise.resolve();
      return new Promise((resolve) => {
        this.#wakeUp = resolve;
      });
    }

    /** A batch's entries for this client: one write, or into the conflation buffer while it is behind. */
    deliver(batch: BatchView, indexes: readonly number[], chunk: () => Uint8Array): void {
      if (indexes.length === 0) return;
      if (this.pending.isEmpty && this.writable) {
        this.write(chunk(), indexes.length);
        return;
      }
      if (this.overflowedSinceMs === undefined) {
        this.overflowedSinceMs = nowMs();
        overflowed.add(this);
      }
      for (const index of indexes) {
        const entry = batch.entries[index] as LiveEntry;
        const dropped = this.pending.size + 1;
        const outcome = this.pending.put(conflationKey(entry.route, entry.id), entry.id, batch.frame(index));
        if (outcome === "replaced") stats.conflated++;
        else if (outcome === "overflow") {
          stats.dropped += dropped;
          logLimited("overflow", () =>
            log.warn({ maxKeys: conflationMaxKeys }, "slow SSE client overflowed its conflation buffer; sending snapshot-required"),
          );
        }
      }
      this.flush();
    }

    /** Writes as much of the conflated backlog as fits, in one write. */
    flush(): void {
      if (this.state === "closed" || this.pending.isEmpty || !this.writable) return;
      const parts: Uint8Array[] = [];
      let bytes = 0;
      let events = 0;
      const room = clientBufferBytes - this.sink.bufferedBytes;
      while (bytes < room && !this.pending.isEmpty) {
        const overflowId = this.pending.takeOverflow();
        if (overflowId !== undefined) {
          const frame = snapshotRequiredFrame("overflow", overflowId);
          parts.push(frame);
          bytes += frame.byteLength;
          continue;
        }
        const item = this.pending.shift();
        if (!item) break;
        parts.push(item.value);
        bytes += item.value.byteLength;
        events++;
      }
      this.write(concatBytes(parts), events);
    }

    sendSnapshotRequired(reason: SnapshotReason, id: string): void {
      this.write(snapshotRequiredFrame(reason, id), 0);
    }

    /** Forgets the client; `cut` also drops its connection, otherwise the response ends normally. */
    close(cut = false): void {
      if (this.state === "closed") return;
      this.state = "closed";
      removeClient(this);
      this.pending.clear();
      const wakeUp = this.#wakeUp;
      this.#wakeUp = undefined;
      wakeUp?.();
      try {
        if (cut) this.sink.destroy();
        else this.sink.end();
      } catch (error) {
        // The peer is gone already; the transport reports it through closed().
        log.debug({ err: error }, "SSE sink end failed");
      }
    }
  }

  function snapshotRequiredFrame(reason: SnapshotReason, id: string): Uint8Array {
    stats.snapshotsRequired[reason]++;
    return controlFrame("snapshot-required", id, { reason, id });
  }

  function addClient(sink: SseSink, subscription: LiveSubscription, address: string | undefined): Client {
    const key = subscriptionKey(subscription);
    let group = groups.get(key);
    if (!group) {
      group = { key, subscription, clients: new Set() };
      groups.set(key, group);
    }
    const client = new Client(sink, group, address);
    group.clients.add(client);
    clients.add(client);
    if (address !== undefined) perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    stats.connections++;
    return client;
  }

  function removeClient(client: Client): void {
    if (!clients.delete(client)) return;
    overflowed.delete(client);
    const { group, address } = client;
    group.clients.delete(client);
    if (group.clients.size === 0) groups.delete(group.key);
    if (address !== undefined) {
      const count = (perAddress.get(address) ?? 1) - 1;
      if (count <= 0) perAddress.delete(address);
      else perAddress.set(address, count);
    }
  }

  function notifyTaps(notify: (tap: LiveTap) => void): void {
    for (const tap of taps) {
      try {
        notify(tap);
      } catch (error) {
        log.error({ err: error }, "live tap failed");
      }
    }
  }

  function setTapsLive(live: boolean): void {
    if (tapsLive === live) return;
    tapsLive = live;
    notifyTaps((tap) => (live ? tap.onLive() : tap.onGap()));
  }

  const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

  /**
   * Sends one read batch to every client live when it starts (a client going live meanwhile starts
   * after it: `position` already names its last entry), group by group, yielding every
   * `writesPerSlice` writes. Resolves once the writes have been handed to the sockets.
   */
  async function fanOut(entries: readonly LiveEntry[], lastId: string): Promise<void> {
    position = lastId;
    if (entries.length === 0) return;
    stats.batches++;
    const batch = new BatchView(entries);
    const targets = [...groups.values()].map((group) => ({
      group,
      clients: [...group.clients].filter((client) => client.state === "live"),
    }));
    let writesInSlice = 0;
    for (const { group, clients: groupClients } of targets) {
      if (groupClients.length === 0) continue;
      const indexes = batch.match(group.subscription);
      let chunk: Uint8Array | undefined;
      // Made once per group, only if some client of the group writes it.
      const groupChunk = () => (chunk ??= batch.chunk(indexes));
      for (const client of groupClients) {
        if (client.state !== "live") continue;
        if (client.needsDedupe) {
          // Backfill read past the reader's position: skip what it already sent (ids only grow).
          const after = client.position;
          const fresh = indexes.filter((index) => compareEventIds((entries[index] as LiveEntry).id, after) > 0);
          if (compareEventIds(lastId, after) > 0) client.needsDedupe = false;
          client.deliver(batch, fresh, () => batch.chunk(fresh));
        } else {
          if (indexes.length === 0) break;
          client.deliver(batch, indexes, groupChunk);
        }
        if (++writesInSlice >= writesPerSlice) {
          writesInSlice = 0;
          await yieldToEventLoop();
        }
      }
    }
    // The sockets' corked writes go out on the next tick; after it the cost is complete.
    await yieldToEventLoop();
  }

  async function runLoop(): Promise<void> {
    let backoffMs = 250;
    let nextFanOutAtMs = 0;
    for (;;) {
      if (closed || (clients.size === 0 && taps.size === 0)) {
        // Synchronously, so a client arriving from now on starts a fresh loop.
        starting = undefined;
        stopTimer();
        setTapsLive(false);
        return;
      }
      try {
        const waitMs = nextFanOutAtMs - performance.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        const batch = await readLiveUpdates(reader!, position, readBatch, readBlockMs, streamKey);
        backoffMs = 250;
        stats.entriesRead += batch.entries.length + batch.malformedIds.length;
        if (batch.malformedIds.length > 0) {
          stats.malformed += batch.malformedIds.length;
          logLimited("malformed", () =>
            log.warn({ ids: batch.malformedIds.slice(0, 5), count: batch.malformedIds.length }, "skipped malformed live stream entries"),
          );
        }
        const startedMs = performance.now();
        const cpuBefore = process.cpuUsage();
        // Taps get every entry, clients maybe only the newest per key.
        if (taps.size > 0 && batch.entries.length > 0) notifyTaps((tap) => tap.onEntries(batch.entries));
        const entries = stats.fanOutIntervalMs >= conflateFromIntervalMs ? newestPerKey(batch.entries) : batch.entries;
        stats.conflatedInFanOut += batch.entries.length - entries.length;
        await fanOut(entries, batch.lastId);
        if (batch.entries.length > 0) {
          // CPU, not wall time: a fan-out that waited for the CPU (a busy machine) did not cost more.
          const cpu = process.cpuUsage(cpuBefore);
          const costMs = (cpu.user + cpu.system) / 1_000;
          stats.fanOutCostMs = stats.fanOutCostMs === 0 ? costMs : 0.8 * stats.fanOutCostMs + 0.2 * costMs;
          stats.fanOutIntervalMs = Math.min(maxFanOutIntervalMs, stats.fanOutCostMs / fanOutCpuShare);
          // A full batch means a backlog: read on at once.
          nextFanOutAtMs = batch.entries.length + batch.malformedIds.length >= readBatch ? 0 : startedMs + stats.fanOutIntervalMs;
        }
        // Reading again after a failed read: taps were told of the gap (publishes may have failed
        // while Redis was unreachable) and now learn that entries arrive in order again.
        setTapsLive(true);
      } catch (error) {
        if (closed) continue;
        setTapsLive(false);
        stats.readErrors++;
        log.error({ err: error, streamKey }, "live stream read failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  /** Heartbeats to idle clients, and the cut-off of clients stalled past the timeout. */
  function tick(): void {
    const now = nowMs();
    for (const client of overflowed) {
      if (client.overflowedSinceMs !== undefined && now - client.overflowedSinceMs >= stalledClientTimeoutMs) {
        stats.cutOff++;
        logLimited("cutOff", () =>
          log.warn({ stalledClientTimeoutMs, cutOff: stats.cutOff }, "cut off an SSE client whose buffer stayed full"),
        );
        client.close(true);
      }
    }
    if (now - lastHeartbeatMs < heartbeatMs) return;
    lastHeartbeatMs = now;
    // Only to clients nothing was written to for half a period: a busy stream is its own heartbeat.
    for (const client of clients) {
      if (client.state !== "starting" && client.writable && now - client.lastWriteMs >= heartbeatMs / 2) client.write(HEARTBEAT_FRAME, 0);
    }
  }

  function startTimer(): void {
    if (timer) return;
    lastHeartbeatMs = nowMs();
    timer = setInterval(tick, Math.max(10, Math.min(heartbeatMs, stalledClientTimeoutMs / 4, 1_000)));
    timer.unref();
  }

  function stopTimer(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  /** Starts the reader loop at the stream's current end, unless it runs. */
  function ensureStarted(): Promise<void> {
    starting ??= (async () => {
      reader ??= createRedis(redisUrl, "worker", log);
      query ??= createRedis(redisUrl, "client", log);
      position = (await getLiveRetention(query, streamKey)).lastGeneratedId;
      loop = runLoop();
      startTimer();
      setTapsLive(true);
    })().catch((error: unknown) => {
      starting = undefined;
      throw error;
    });
    return starting;
  }

  async function catchUp(client: Client, lastEventId: string): Promise<void> {
    client.state = "catching-up";
    let afterId = lastEventId;
    let emptyPagesBehind = 0;
    for (;;) {
      const { batch, retention } = await rangeLiveUpdates(query!, afterId, backfillPage, streamKey);
      if (client.isClosed) return;
      const verdict = classifyResume(afterId, retention);
      // An empty page while the reader is ahead is the race "reader read it after our XRANGE": read
      // again. Twice in a row means the entries the reader saw are no longer in the stream.
      emptyPagesBehind = batch.lastId === afterId && compareEventIds(afterId, position) < 0 ? emptyPagesBehind + 1 : 0;
      if (verdict !== "ok" || emptyPagesBehind >= 2) {
        // Entries after afterId are gone (or never existed here): the client reloads history, then goes live.
        goLive(client, position, false);
        client.sendSnapshotRequired(verdict === "ok" ? "too-old" : verdict, position);
        sendReady(client, true);
        return;
      }
      const frames = batch.entries.filter((entry) => matchesSubscription(client.subscription, entry.route)).map(updateFrame);
      // One write per buffer's worth, waiting for the client to take each.
      for (let start = 0; start < frames.length;) {
        if (!client.writable) await client.waitWritable();
        if (client.isClosed) return;
        const room = clientBufferBytes - client.sink.bufferedBytes;
        let end = start;
        let bytes = 0;
        while (end < frames.length && bytes < room) bytes += (frames[end++] as Uint8Array).byteLength;
        client.write(concatBytes(frames.slice(start, end)), end - start);
        stats.backfilled += end - start;
        start = end;
      }
      afterId = batch.lastId;
      // Caught up with the reader (possibly past it: then the reader's copies are skipped).
      if (compareEventIds(afterId, position) >= 0) {
        goLive(client, afterId, compareEventIds(afterId, position) > 0);
        sendReady(client, true);
        return;
      }
    }
  }

  function goLive(client: Client, clientPosition: string, needsDedupe: boolean): void {
    client.position = clientPosition;
    client.needsDedupe = needsDedupe;
    client.state = "live";
  }

  function sendReady(client: Client, resumed: boolean): void {
    client.write(controlFrame("ready", client.position, { id: client.position, resumed }), 0);
  }

  async function run(client: Client, lastEventId: string | undefined): Promise<void> {
    // After the caller's synchronous code: it may still be sending its response head.
    await Promise.resolve();
    client.write(encoder.encode(`retry: ${retryMs}\n: connected\n\n`), 0);
    await ensureStarted();
    if (client.isClosed) return;
    if (lastEventId === undefined) {
      goLive(client, position, false);
      sendReady(client, false);
      return;
    }
    await catchUp(client, lastEventId);
  }

  function open(sink: SseSink, subscription: LiveSubscription, { lastEventId, address }: OpenOptions = {}): SseClientHandle {
    if (closed) throw new Error("the SSE hub is closed");
    if (clients.size >= maxClients) {
      stats.rejected++;
      throw new SseHubFullError("global", maxClients);
    }
    if (address !== undefined && maxClientsPerAddress !== undefined && (perAddress.get(address) ?? 0) >= maxClientsPerAddress) {
      stats.rejected++;
      stats.rejectedPerAddress++;
      throw new SseHubFullError("per-address", maxClientsPerAddress);
    }
    const client = addClient(sink, subscription, address);
    run(client, lastEventId).catch((error: unknown) => {
      if (client.isClosed) return;
      log.error({ err: error }, "SSE client setup failed");
      client.close(true);
    });
    return { drained: () => client.drained(), closed: () => client.close() };
  }

  return {
    open,

    connect(subscription, { request, ...rest } = {}) {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      // Set once open() admitted the client; the stream's callbacks may run before (and then do nothing).
      // Holding the request here keeps its abort link alive as long as the stream (see ConnectOptions).
      const ref: { handle?: SseClientHandle; request?: Request } = request ? { request } : {};
      const stream = new ReadableStream<Uint8Array>(
        {
          start(c) {
            controller = c;
          },
          pull() {
            ref.handle?.drained();
          },
          cancel() {
            ref.handle?.closed();
          },
        },
        new ByteLengthQueuingStrategy({ highWaterMark: clientBufferBytes }),
      );
      const sink: SseSink = {
        write: (chunk) => controller.enqueue(chunk),
        get bufferedBytes() {
          return clientBufferBytes - (controller.desiredSize ?? 0);
        },
        end: () => controller.close(),
        destroy: () => controller.error(new Error("the SSE client was cut off")),
      };
      const opened = open(sink, subscription, rest);
      ref.handle = opened;
      const signal = request?.signal;
      if (signal?.aborted) opened.closed();
      signal?.addEventListener("abort", () => opened.closed(), { once: true });
      return stream;
    },

    tap(tap) {
      if (closed) throw new Error("the SSE hub is closed");
      taps.add(tap);
      if (tapsLive) tap.onLive();
      ensureStarted().catch((error: unknown) => log.error({ err: error }, "live stream reader failed to start for a tap"));
      return () => {
        taps.delete(tap);
      };
    },

    stats() {
      return { ...stats, clients: clients.size, groups: groups.size, snapshotsRequired: { ...stats.snapshotsRequired } };
    },

    async close() {
      if (closed) return;
      closed = true;
      stopTimer();
      for (const client of [...clients]) client.close();
      // Ends a blocked XREAD at once (the loop sees `closed` and returns).
      reader?.disconnect();
      await loop?.catch(() => undefined);
      await starting?.catch(() => undefined);
      await query?.quit().catch(() => query?.disconnect());
    },
  };
}

// The process-wide hub of the web app, kept on globalThis because the custom web server and Next's
// bundles (one per route) each load this module, and there must be one reader per process.
const HUB_KEY = Symbol.for("tickstream.sseHub");
type HubGlobal = typeof globalThis & { [HUB_KEY]?: SseHub };

/** The web process's hub, created on first use from config; closes on SIGTERM/SIGINT. */
export function getSseHub(): SseHub {
  const global = globalThis as HubGlobal;
  let hub = global[HUB_KEY];
  if (!hub) {
    const config = getConfig();
    const log = createLogger("sse-hub");
    const created = createSseHub({
      redisUrl: config.redis.url,
      heartbeatMs: config.live.heartbeatMs,
      clientBufferBytes: config.live.clientBufferBytes,
      conflationMaxKeys: config.live.conflationMaxKeys,
      maxClients: config.live.maxClients,
      maxClientsPerAddress: config.live.maxClientsPerAddress,
      stalledClientTimeoutMs: config.live.stalledClientTimeoutMs,
      log,
    });
    hub = created;
    global[HUB_KEY] = created;
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        // The process's own handler exits; ours only ends the streams cleanly first.
        void created.close().catch((error: unknown) => log.error({ err: error }, "SSE hub close failed"));
      });
    }
  }
  return hub;
}
