// The SSE hub of one web process: a single XREAD BLOCK loop on the live stream fans each entry out
// to every connected client, serialized once and shared. A client whose buffer is full gets the
// newest update per (type, symbol, interval) when it drains (conflation), so it never stalls the
// others; a client resuming with Last-Event-ID is backfilled from the stream, paced by its reads.
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
import {
  compareEventIds,
  ConflationBuffer,
  conflationKey,
  matchesSubscription,
  type LiveSubscription,
} from "../../core/live-updates";

export interface SseHubOptions {
  redisUrl: string;
  streamKey?: string;
  heartbeatMs: number;
  /** Bytes queued per client before its updates are conflated. */
  clientBufferBytes: number;
  conflationMaxKeys: number;
  maxClients: number;
  /** Entries per XREAD; each batch is fanned out synchronously, so keep it well under a client's buffer. */
  readBatch?: number;
  readBlockMs?: number;
  backfillPage?: number;
  /** Reconnect hint sent to EventSource clients (`retry:`). */
  retryMs?: number;
  log: Logger;
}

export type SnapshotReason = "too-old" | "unknown-id" | "overflow";

export interface SseHubStats {
  clients: number;
  /** Connections accepted since start. */
  connections: number;
  /** Connections refused because the hub held `maxClients`. */
  rejected: number;
  /** Update events written to clients (live, conflated-then-flushed and backfilled). */
  eventsSent: number;
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

/** Thrown by connect() when the process already serves `maxClients`. */
export class SseHubFullError extends Error {
  constructor(maxClients: number) {
    super(`the live stream serves its maximum of ${maxClients} clients; retry later`);
    this.name = "SseHubFullError";
  }
}

export interface ConnectOptions {
  /** Resume after this event id (Last-Event-ID). */
  lastEventId?: string;
  signal?: AbortSignal;
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
  /** Opens one client's SSE byte stream; throws SseHubFullError when full. */
  connect(subscription: LiveSubscription, options?: ConnectOptions): ReadableStream<Uint8Array>;
  /** Hands every entry read to `tap` too, keeping the reader running while tapped; returns the untap function. */
  tap(tap: LiveTap): () => void;
  stats(): SseHubStats;
  /** Ends every client, stops the reader loop and closes the Redis connections. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const HEARTBEAT_FRAME = encoder.encode(": hb\n\n");

/** `id:`/`event:`/`data:` frame of one update; JSON normally has no newline, but a line break must not end the event. */
function updateFrame(entry: LiveEntry): Uint8Array {
  const data = /[\r\n]/.test(entry.json) ? entry.json.split(/\r\n|\r|\n/).join("\ndata: ") : entry.json;
  return encoder.encode(`id: ${entry.id}\nevent: ${entry.route.type}\ndata: ${data}\n\n`);
}

function controlFrame(event: string, id: string, data: object): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

type ClientState = "starting" | "catching-up" | "live" | "closed";

export function createSseHub(options: SseHubOptions): SseHub {
  const {
    redisUrl,
    streamKey = LIVE_STREAM_KEY,
    heartbeatMs,
    clientBufferBytes,
    conflationMaxKeys,
    maxClients,
    readBatch = 200,
    readBlockMs = 5_000,
    backfillPage = 500,
    retryMs = 2_000,
    log,
  } = options;

  const clients = new Set<Client>();
  const taps = new Set<LiveTap>();
  // Whether the taps have been told the reader reads on (onLive) and not told of a gap since.
  let tapsLive = false;
  const stats: SseHubStats = {
    clients: 0,
    connections: 0,
    rejected: 0,
    eventsSent: 0,
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
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let lastMalformedLogMs = 0;

  class Client {
    state: ClientState = "starting";
    /** Last entry id handled for this client while catching up or just after. */
    position = "0-0";
    /** True while entries the reader fans out may already have been sent by backfill. */
    needsDedupe = false;
    controller!: ReadableStreamDefaultController<Uint8Array>;
    readonly pending = new ConflationBuffer<Uint8Array>(conflationMaxKeys);
    #wakeUp: (() => void) | undefined;

    constructor(readonly subscription: LiveSubscription) {}

    get isClosed(): boolean {
      return this.state === "closed";
    }

    get writable(): boolean {
      return (this.controller.desiredSize ?? 0) > 0;
    }

    /** Called by the stream when its queue drops below the high-water mark. */
    onPull(): void {
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

    send(frame: Uint8Array): void {
      if (this.state === "closed") return;
      this.controller.enqueue(frame);
    }

    /** A live update: straight to the queue, or conflated while the client is behind. */
    offer(entry: LiveEntry, frame: Uint8Array): void {
      if (this.pending.isEmpty && this.writable) {
        this.send(frame);
        stats.eventsSent++;
        return;
      }
      const dropped = this.pending.size + 1;
      const outcome = this.pending.put(conflationKey(entry.route, entry.id), entry.id, frame);
      if (outcome === "replaced") stats.conflated++;
      else if (outcome === "overflow") {
        stats.dropped += dropped;
        log.warn({ maxKeys: conflationMaxKeys }, "slow SSE client overflowed its conflation buffer; sending snapshot-required");
      }
      this.flush();
    }

    flush(): void {
      while (this.state !== "closed" && this.writable && !this.pending.isEmpty) {
        const overflowId = this.pending.takeOverflow();
        if (overflowId !== undefined) {
          this.sendSnapshotRequired("overflow", overflowId);
          continue;
        }
        const item = this.pending.shift();
        if (!item) break;
        this.send(item.value);
        stats.eventsSent++;
      }
    }

    sendSnapshotRequired(reason: SnapshotReason, id: string): void {
      stats.snapshotsRequired[reason]++;
      this.send(controlFrame("snapshot-required", id, { reason, id }));
    }

    close(): void {
      if (this.state === "closed") return;
      this.state = "closed";
      clients.delete(this);
      stats.clients = clients.size;
      this.pending.clear();
      this.onPull();
      try {
        this.controller.close();
      } catch {
        // Already cancelled by the consumer.
      }
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

  function fanOut(entries: readonly LiveEntry[]): void {
    if (taps.size > 0 && entries.length > 0) notifyTaps((tap) => tap.onEntries(entries));
    for (const entry of entries) {
      let frame: Uint8Array | undefined;
      for (const client of clients) {
        if (client.state !== "live") continue;
        if (client.needsDedupe) {
          // Backfill read past the reader's position: skip what it already sent (ids only grow).
          if (compareEventIds(entry.id, client.position) <= 0) continue;
          client.needsDedupe = false;
        }
        if (!matchesSubscription(client.subscription, entry.route)) continue;
        frame ??= updateFrame(entry);
        client.offer(entry, frame);
      }
      position = entry.id;
    }
  }

  async function runLoop(): Promise<void> {
    let backoffMs = 250;
    for (;;) {
      if (closed || (clients.size === 0 && taps.size === 0)) {
        // Synchronously, so a client arriving from now on starts a fresh loop.
        starting = undefined;
        stopHeartbeat();
        setTapsLive(false);
        return;
      }
      try {
        const batch = await readLiveUpdates(reader!, position, readBatch, readBlockMs, streamKey);
        backoffMs = 250;
        stats.entriesRead += batch.entries.length + batch.malformedIds.length;
        if (batch.malformedIds.length > 0) {
          stats.malformed += batch.malformedIds.length;
          if (Date.now() - lastMalformedLogMs > 10_000) {
            lastMalformedLogMs = Date.now();
            log.warn({ ids: batch.malformedIds.slice(0, 5), count: batch.malformedIds.length }, "skipped malformed live stream entries");
          }
        }
        fanOut(batch.entries);
        position = batch.lastId;
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

  function startHeartbeat(): void {
    heartbeat ??= setInterval(() => {
      for (const client of clients) if (client.state !== "starting" && client.writable) client.send(HEARTBEAT_FRAME);
    }, heartbeatMs);
    heartbeat.unref();
  }

  function stopHeartbeat(): void {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
  }

  /** Starts the reader loop at the stream's current end, unless it runs. */
  function ensureStarted(): Promise<void> {
    starting ??= (async () => {
      reader ??= createRedis(redisUrl, "worker", log);
      query ??= createRedis(redisUrl, "client", log);
      position = (await getLiveRetention(query, streamKey)).lastGeneratedId;
      loop = runLoop();
      startHeartbeat();
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
      for (const entry of batch.entries) {
        if (!matchesSubscription(client.subscription, entry.route)) continue;
        if (!client.writable) await client.waitWritable();
        if (client.isClosed) return;
        client.send(updateFrame(entry));
        stats.eventsSent++;
        stats.backfilled++;
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
    client.send(controlFrame("ready", client.position, { id: client.position, resumed }));
  }

  async function run(client: Client, lastEventId: string | undefined): Promise<void> {
    client.send(encoder.encode(`retry: ${retryMs}\n: connected\n\n`));
    await ensureStarted();
    if (client.isClosed) return;
    if (lastEventId === undefined) {
      goLive(client, position, false);
      sendReady(client, false);
      return;
    }
    await catchUp(client, lastEventId);
  }

  return {
    connect(subscription, { lastEventId, signal } = {}) {
      if (closed) throw new Error("the SSE hub is closed");
      if (clients.size >= maxClients) {
        stats.rejected++;
        throw new SseHubFullError(maxClients);
      }
      const client = new Client(subscription);
      const stream = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            client.controller = controller;
          },
          pull() {
            client.onPull();
          },
          cancel() {
            client.close();
          },
        },
        new ByteLengthQueuingStrategy({ highWaterMark: clientBufferBytes }),
      );
      clients.add(client);
      stats.clients = clients.size;
      stats.connections++;
      if (signal?.aborted) client.close();
      signal?.addEventListener("abort", () => client.close(), { once: true });
      run(client, lastEventId).catch((error: unknown) => {
        if (client.isClosed) return;
        log.error({ err: error }, "SSE client setup failed");
        try {
          client.controller.error(error);
        } catch {
          // Already closed.
        }
        client.close();
      });
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
      return { ...stats, clients: clients.size, snapshotsRequired: { ...stats.snapshotsRequired } };
    },

    async close() {
      if (closed) return;
      closed = true;
      stopHeartbeat();
      for (const client of [...clients]) client.close();
      // Ends a blocked XREAD at once (the loop sees `closed` and returns).
      reader?.disconnect();
      await loop?.catch(() => undefined);
      await starting?.catch(() => undefined);
      await query?.quit().catch(() => query?.disconnect());
    },
  };
}

// The process-wide hub of the web app, kept on globalThis because Next may load this module in
// more than one bundle (one per route) and there must be one reader per process.
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
      log,
    });
    hub = created;
    global[HUB_KEY] = created;
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        // Next's own handler exits the process; ours only ends the streams cleanly first.
        void created.close().catch((error: unknown) => log.error({ err: error }, "SSE hub close failed"));
      });
    }
  }
  return hub;
}
