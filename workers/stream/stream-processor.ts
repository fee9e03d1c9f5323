// The stream worker's executor, independent of kafkajs: for each batch it validates the records
// (invalid ones to the DLQ), reads what the pure round needs (core/trade-round, core/quote-round),
// folds, and writes the plan in its order; the caller commits the batch's offsets only when
// processBatch reports it written. Failures are classified (stream-failures): retriable ones are
// retried with capped backoff while the consumer pauses and heartbeats, fatal ones end the process.
import { latestPerKey, type LiveUpdate } from "../../core/live-updates";
import { createQuoteBook, type QuoteBook } from "../../core/quote-book";
import {
  createQuotePartition,
  foldQuotes,
  quoteSymbolsToRestore,
  restoreQuoteSymbols,
  type QuotePartitionState,
} from "../../core/quote-round";
import type { DlqRecord, TickKind } from "../../core/schemas";
import { dlqSends, validateRecords, type TickRecord, type ValidTick } from "../../core/tick-messages";
import {
  closeIdleSymbols,
  createTradePartition,
  dedupLookups,
  dropSymbols,
  foldTrades,
  idleSymbols,
  lateWindowKeys,
  markWritten,
  partitionOpenWindows,
  restoreReads,
  restoreSymbol,
  symbolsToRestore,
  unrestoredClock,
  type StoredWindow,
  type SymbolClock,
  type SymbolRestore,
  type TradePartitionState,
  type TradeRoundPlan,
  type TradeRoundSettings,
} from "../../core/trade-round";
import { mapConcurrent } from "../../core/concurrency";
import { STREAM_INTERVALS, type Interval } from "../../core/intervals";
import { INDICATOR_HISTORY } from "../../core/indicators";
import { toAlertRow, type CassandraStore, type ProgressKey, type StoredCandle } from "../../adapters/cassandra-store";
import type { AnomalySettings, StreamSettings } from "../../adapters/config";
import type { TopicNames } from "../../adapters/kafka";
import type { Logger } from "../../adapters/logger";
import { classifyFailure, FatalStreamError } from "./stream-failures";

export type BatchMessage = TickRecord;
export type BatchInput = { topic: string; partition: number; messages: readonly BatchMessage[] };

/** What processBatch needs from the consumer while it waits on failing writes. */
export type BatchContext = {
  heartbeat(): Promise<void>;
  /** True when the batch must be given up (consumer stopping, or the partition moved). */
  shouldAbandon(): boolean;
  /** Called with true when writes start failing (pause fetching) and false when they recover. */
  onBackpressure?(paused: boolean): void;
};

/** What closeIdle needs from the consumer. */
export type IdleContext = BatchContext & {
  /** True when the consumer knows more records of this trades partition are waiting: catching up, not idle. */
  hasBacklog?(partition: number): boolean;
  /** Since when fetching has worked without a gap (wall ms): after an outage nothing is idle until the backlog was read. */
  fetchHealthySinceMs?(): number;
};

export type DlqSink = (records: readonly { key: Buffer | null; value: DlqRecord }[]) => Promise<void>;

/** What a timed write round covered: a kind of batch, or an idle close. */
export type WriteKind = TickKind | "idle";

export type StreamProcessorOptions = {
  store: CassandraStore;
  sendDlq: DlqSink;
  topics: TopicNames;
  groupId: string;
  settings: Pick<
    StreamSettings,
    | "allowedLatenessMs"
    | "idleCloseMs"
    | "maxOpenWindows"
    | "maxSymbols"
    | "maxFutureMs"
    | "dedupIdsPerSymbol"
    | "joinToleranceMs"
    | "quoteVenueMode"
    | "retryMaxBackoffMs"
  >;
  intervals?: readonly Interval[];
  /** Anomaly detectors and their symbol cap; no anomaly scoring when absent. */
  anomaly?: AnomalySettings;
  log: Logger;
  /** Wall clock (ms): DLQ stamps, idleness, backoff and write timings; never event time. */
  now?: () => number;
  /** Receives each written round's live updates (conflated per key); must not block or throw. */
  onLiveUpdates?: (updates: LiveUpdate[]) => void;
  /** Observes each successful round of writes: what it covered and how long its last attempt took. */
  onWrite?: (kind: WriteKind, seconds: number) => void;
};

export type StreamStats = {
  batches: number;
  messages: number;
  trades: number;
  quotes: number;
  prices: number;
  dlq: number;
  lateTrades: number;
  /** Trades seen before under the same id (another offset) and counted once. */
  duplicateTrades: number;
  /** Redelivered offsets already folded into their windows (a replay after a crash). */
  duplicatesSkipped: number;
  symbolsRestored: number;
  candleRowsWritten: number;
  finalCandlesWritten: number;
  writeRetries: number;
  abandonedBatches: number;
  idleCloses: number;
  lastWriteMs: number;
};

class Abandoned extends Error {
  constructor(what: string) {
    super(`gave up ${what}: consumer stopping or partition reassigned`);
  }
}

const DLQ_SEND_MAX_BYTES = 512 * 1024;
const READ_CONCURRENCY = 32;
const keyOf = (k: { symbol: string; interval: Interval; windowStart: number }): string => `${k.symbol}|${k.interval}|${k.windowStart}`;

const toStoredWindow = (s: StoredCandle): StoredWindow => ({
  candle: s.candle,
  isFinal: s.isFinal,
  sourcePartition: s.sourcePartition,
  lastOffset: s.lastOffset,
  indicators: s.indicators,
});

export function createStreamProcessor(options: StreamProcessorOptions) {
  const { store, topics, groupId, settings, log } = options;
  const now = options.now ?? Date.now;
  const roundSettings: TradeRoundSettings = {
    intervals: options.intervals ?? STREAM_INTERVALS,
    allowedLatenessMs: settings.allowedLatenessMs,
    maxOpenWindowsPerSymbol: settings.maxOpenWindows,
    maxSymbols: settings.maxSymbols,
    dedupIdsPerSymbol: settings.dedupIdsPerSymbol,
    joinToleranceMs: settings.joinToleranceMs,
    ...(options.anomaly ? { anomaly: { detectors: options.anomaly.detectors, maxSymbols: options.anomaly.maxSymbols } } : {}),
  };
  const trades = new Map<number, TradePartitionState>();
  const quotes = new Map<number, QuotePartitionState>();
  const books = new Map<number, QuoteBook>();
  const stats: StreamStats = {
    batches: 0,
    messages: 0,
    trades: 0,
    quotes: 0,
    prices: 0,
    dlq: 0,
    lateTrades: 0,
    duplicateTrades: 0,
    duplicatesSkipped: 0,
    symbolsRestored: 0,
    candleRowsWritten: 0,
    finalCandlesWritten: 0,
    writeRetries: 0,
    abandonedBatches: 0,
    idleCloses: 0,
    lastWriteMs: 0,
  };
  let alertsWritten = 0;
  /** Wall time of the last failed read or write: nothing is idle right after an outage. */
  let lastFailureMs = Number.NEGATIVE_INFINITY;
  // Batches and idle closes of one partition number (trades and quotes share its book) run one at
  // a time; different partitions run side by side, so one's Cassandra round trip overlaps another's fold.
  const locks = new Map<number, Promise<unknown>>();
  const exclusive = <T>(partition: number, fn: () => Promise<T>): Promise<T> => {
    const run = (locks.get(partition) ?? Promise.resolve()).then(fn, fn);
    const settled = run.catch(() => undefined);
    locks.set(partition, settled);
    void settled.then(() => {
      if (locks.get(partition) === settled) locks.delete(partition);
    });
    return run;
  };

  const kindOf = (topic: string): TickKind | undefined =>
    topic === topics.trades ? "trades" : topic === topics.quotes ? "quotes" : topic === topics.prices ? "prices" : undefined;
  const progressKey = (partition: number): ProgressKey => ({ group: groupId, topic: topics.trades, partition });

  const bookOf = (partition: number): QuoteBook => {
    let book = books.get(partition);
    if (!book) books.set(partition, (book = createQuoteBook({ venueMode: settings.quoteVenueMode })));
    return book;
  };

  /**
   * Runs `fn` until it succeeds: a retriable failure backs off (capped, jittered) while the
   * consumer pauses and heartbeats; a fatal one throws FatalStreamError; Abandoned when told to stop.
   */
  async function withRetry<T>(what: string, ctx: BatchContext, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (ctx.shouldAbandon()) throw new Abandoned(what);
      try {
        const result = await fn();
        if (attempt > 0) {
          log.info({ what, attempts: attempt + 1 }, "write recovered, resuming");
          ctx.onBackpressure?.(false);
        }
        return result;
      } catch (error) {
        if (error instanceof Abandoned || error instanceof FatalStreamError) throw error;
        lastFailureMs = now();
        if (classifyFailure(error) === "fatal") throw new FatalStreamError(what, error);
        stats.writeRetries++;
        if (attempt === 0) ctx.onBackpressure?.(true);
        const backoffMs = Math.min(settings.retryMaxBackoffMs, 100 * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
        log.warn(
          { err: error, what, attempt: attempt + 1, backoffMs: Math.round(backoffMs) },
          "retriable failure; consumer paused, retrying",
        );
        const until = now() + backoffMs;
        while (now() < until) {
          if (ctx.shouldAbandon()) throw new Abandoned(what);
          try {
            await ctx.heartbeat();
          } catch (heartbeatError) {
            log.warn({ err: heartbeatError }, "heartbeat failed while waiting to retry");
            throw new Abandoned(what);
          }
          await delay(Math.min(250, Math.max(0, until - now())));
        }
      }
    }
  }

  /** Runs one write round and reports its duration when it succeeds. */
  async function timed<T>(kind: WriteKind, fn: () => Promise<T>): Promise<T> {
    const startedMs = now();
    const result = await fn();
    stats.lastWriteMs = now() - startedMs;
    options.onWrite?.(kind, stats.lastWriteMs / 1_000);
    return result;
  }

  function emitLive(updates: LiveUpdate[]): void {
    if (!options.onLiveUpdates || updates.length === 0) return;
    try {
      options.onLiveUpdates(updates);
    } catch (error) {
      log.error({ err: error }, "handing off live updates failed; skipped (Cassandra has the data)");
    }
  }

  // ------------------------------------------------------------------------------------------
  // Assignment and restore

  /** The partition's state; created from its stored progress on first use after an assignment. */
  async function tradePartition(partition: number, ctx: BatchContext): Promise<TradePartitionState> {
    const existing = trades.get(partition);
    if (existing) return existing;
    const stored = await withRetry("reading stream progress", ctx, () => store.readProgress(progressKey(partition)));
    const state = createTradePartition(partition, roundSettings, stored, now());
    trades.set(partition, state);
    log.info({ partition, storedSymbols: stored.size, withOpenWindows: state.unrestoredOpen.size }, "trades partition assigned");
    return state;
  }

  /** Reads and restores symbols of the partition (`clocks` when known, else read per symbol). */
  async function restore(
    state: TradePartitionState,
    symbols: readonly string[],
    ctx: BatchContext,
    clocks: ReadonlyMap<string, SymbolClock | undefined> = new Map(),
  ): Promise<void> {
    if (symbols.length === 0) return;
    const key = progressKey(state.partition);
    const restores = await withRetry("restoring symbols", ctx, () =>
      mapConcurrent(symbols, READ_CONCURRENCY, async (symbol): Promise<SymbolRestore> => {
        const clock = clocks.has(symbol) ? clocks.get(symbol) : await store.readSymbolProgress(key, symbol);
        const reads = restoreReads(roundSettings, clock);
        const [open, bars, latest, firstSeen] = await Promise.all([
          Promise.all(reads.openRanges.map((r) => store.getCandles(symbol, r.interval, r.fromMs, r.toMs, settings.maxOpenWindows))),
          reads.finalBars
            ? store.getCandles(symbol, "1m", reads.finalBars.fromMs, reads.finalBars.toMs, INDICATOR_HISTORY)
            : Promise.resolve([]),
          store.readLatestStates([symbol]),
          store.readSymbolsFirstSeen([symbol]),
        ]);
        return {
          clock,
          openWindows: open.flat().map(toStoredWindow),
          finalBars: bars.map(toStoredWindow),
          latest: latest[0],
          firstSeenMs: firstSeen[0],
        };
      }),
    );
    symbols.forEach((symbol, i) => restoreSymbol(state, symbol, restores[i] as SymbolRestore, now()));
    stats.symbolsRestored += symbols.length;
  }

  /**
   * Applies a new assignment. Trade state is dropped on every join (kafkajs reports joins, not
   * revocations: a partition may have moved away and back meanwhile); it is restored from
   * Cassandra on the next batch. Quote books of partitions still held are kept.
   */
  function assign(assignment: Record<string, number[] | undefined>, _ctx?: BatchContext): Promise<void> {
    const tradeParts = new Set(assignment[topics.trades] ?? []);
    const quoteParts = new Set(assignment[topics.quotes] ?? []);
    // A round in flight keeps its own state object and writes it; the next batch restores afresh.
    trades.clear();
    for (const partition of quotes.keys()) if (!quoteParts.has(partition)) quotes.delete(partition);
    for (const partition of books.keys()) if (!quoteParts.has(partition) && !tradeParts.has(partition)) books.delete(partition);
    return Promise.resolve();
  }

  // ------------------------------------------------------------------------------------------
  // Batches

  /** Processes a batch; true when everything it covers is written (the caller may then commit). */
  function processBatch(batch: BatchInput, ctx: BatchContext): Promise<boolean> {
    return exclusive(batch.partition, async () => {
      const kind = kindOf(batch.topic);
      if (kind === undefined) throw new Error(`unexpected topic ${batch.topic}`);
      if (batch.messages.length === 0) return true;
      try {
        if (kind === "trades") await processTrades(batch, ctx);
        else if (kind === "quotes") await processQuotes(batch, ctx);
        else await processPrices(batch, ctx);
        stats.batches++;
        stats.messages += batch.messages.length;
        return true;
      } catch (error) {
        // State may hold folds whose writes never happened: forget it; the uncommitted batch is
        // replayed onto state restored from Cassandra.
        if (kind === "trades") trades.delete(batch.partition);
        if (kind === "quotes") quotes.delete(batch.partition);
        if (!(error instanceof Abandoned)) throw error;
        stats.abandonedBatches++;
        log.warn({ topic: batch.topic, partition: batch.partition, err: error }, "batch abandoned, state dropped");
        return false;
      }
    });
  }

  /** Splits a batch into valid ticks and DLQ records; sends the DLQ records in byte-bounded sends. */
  async function validate<K extends TickKind>(kind: K, batch: BatchInput, ctx: BatchContext): Promise<ValidTick<K>[]> {
    const { valid, dlq } = validateRecords(kind, batch, batch.messages, { maxFutureMs: settings.maxFutureMs, atMs: now() });
    if (dlq.length === 0) return valid;
    for (const send of dlqSends(dlq, DLQ_SEND_MAX_BYTES)) {
      try {
        await withRetry("sending to the DLQ", ctx, () => options.sendDlq(send));
      } catch (error) {
        if (!(error instanceof FatalStreamError)) throw error;
        // The DLQ refused these for good (not a passing outage): they are invalid ticks, logged here in full, and never stall the partition.
        log.error(
          { err: error, topic: batch.topic, partition: batch.partition, records: send.map((r) => r.value) },
          "DLQ refused invalid messages; logged instead",
        );
      }
    }
    stats.dlq += dlq.length;
    log.warn(
      { topic: batch.topic, partition: batch.partition, count: dlq.length, firstReason: dlq[0]?.value.reason },
      "invalid messages sent to the DLQ",
    );
    return valid;
  }

  async function processTrades(batch: BatchInput, ctx: BatchContext): Promise<void> {
    const state = await tradePartition(batch.partition, ctx);
    const valid = await validate("trades", batch, ctx);
    if (valid.length === 0) return;
    await restore(state, symbolsToRestore(state, valid), ctx);
    const lateKeys = lateWindowKeys(state, valid);
    const lookups = dedupLookups(state, valid);
    const [late, storedRaw] = await withRetry("reading late windows and repeated trades", ctx, () =>
      Promise.all([
        lateKeys.length > 0 ? store.readCandles(lateKeys) : Promise.resolve([]),
        lookups.length > 0 ? store.storedTradeKeys(lookups) : Promise.resolve(new Set<string>()),
      ]),
    );
    const storedLate = new Map(lateKeys.map((k, i) => [keyOf(k), late[i] && toStoredWindow(late[i])]));
    const plan = foldTrades(state, valid, { storedLate, storedRaw, book: bookOf(batch.partition) });
    // Candle, price and spread updates leave before the writes (docs/architecture.md, latency
    // budget): they are state, and a replay after a failed write folds the same trades into the
    // same state and publishes it again. Alerts are events: they leave once stored.
    emitLive(plan.live.filter((u) => u.type !== "alert"));
    await ctx.heartbeat();
    try {
      await withRetry("writing trades round", ctx, () => timed("trades", () => writeTradePlan(batch.partition, plan)));
    } catch (error) {
      dropSymbols(state, plan.symbols);
      throw error;
    }
    markWritten(state, plan, now());
    stats.trades += plan.stats.trades;
    stats.duplicateTrades += plan.stats.duplicates;
    stats.duplicatesSkipped += plan.stats.redelivered;
    stats.lateTrades += plan.stats.late;
    if (plan.stats.duplicates > 0)
      log.info({ partition: batch.partition, duplicates: plan.stats.duplicates }, "repeated trade ids counted once");
    emitLive(plan.live.filter((u) => u.type === "alert"));
  }

  /** Writes a trade round in its order: alerts, progress, candles/latest/symbols, raw trades, closed marks. */
  async function writeTradePlan(partition: number, plan: TradeRoundPlan): Promise<void> {
    const key = progressKey(partition);
    const nowMs = now();
    if (plan.alerts.length > 0) await store.writeAlerts(plan.alerts.map(toAlertRow));
    if (plan.progress.length > 0) await store.writeProgressSymbols(key, plan.progress, nowMs);
    await Promise.all([
      store.writeCandles(plan.candles, nowMs),
      store.writeLatestTrades(plan.latest, nowMs),
      store.writeSymbolsSeen(plan.symbolsSeen),
    ]);
    await store.writeTrades(plan.trades);
    if (plan.closed.length > 0) await store.writeProgressClosed(key, plan.closed);
    stats.candleRowsWritten += plan.candles.length;
    stats.finalCandlesWritten += plan.stats.finalCandles;
    alertsWritten += plan.alerts.length;
  }

  async function processQuotes(batch: BatchInput, ctx: BatchContext): Promise<void> {
    const valid = await validate("quotes", batch, ctx);
    if (valid.length === 0) return;
    let state = quotes.get(batch.partition);
    if (state === undefined) quotes.set(batch.partition, (state = createQuotePartition(batch.partition, roundSettings.anomaly)));
    const unknown = quoteSymbolsToRestore(state, valid);
    if (unknown.length > 0) {
      const latest = await withRetry("reading latest quote times", ctx, () => store.getLatest(unknown));
      restoreQuoteSymbols(state, new Map(unknown.map((symbol, i) => [symbol, latest[i]?.quoteTsMs])));
    }
    const plan = foldQuotes(state, bookOf(batch.partition), valid);
    emitLive(latestPerKey(plan.live.filter((u) => u.type !== "alert")));
    await withRetry("writing quotes round", ctx, () =>
      timed("quotes", async () => {
        // Before the latest quote time, which tells the next owner these quotes were scored.
        if (plan.alerts.length > 0) await store.writeAlerts(plan.alerts.map(toAlertRow));
        await Promise.all([store.writeQuotes(plan.quotes), store.writeLatestQuotes(plan.nbbo)]);
      }),
    );
    stats.quotes += valid.length;
    alertsWritten += plan.alerts.length;
    emitLive(plan.live.filter((u) => u.type === "alert"));
  }

  async function processPrices(batch: BatchInput, ctx: BatchContext): Promise<void> {
    const valid = await validate("prices", batch, ctx);
    if (valid.length === 0) return;
    await withRetry("writing prices", ctx, () => timed("prices", () => store.writePrices(valid.map((v) => v.tick))));
    stats.prices += valid.length;
  }

  // ------------------------------------------------------------------------------------------
  // Idle close

  /**
   * Finalizes the open windows of symbols without trades for `idleCloseMs` of wall time, on
   * partitions that are caught up and were read and written without failure for that long (after
   * an outage the backlog comes first). A trade arriving later corrects its window. Returns the
   * number of windows closed.
   */
  async function closeIdle(ctx: IdleContext): Promise<number> {
    let closed = 0;
    for (const partition of [...trades.keys()]) {
      if (ctx.shouldAbandon()) break;
      closed += await exclusive(partition, async () => {
        const state = trades.get(partition);
        const nowMs = now();
        const healthySince = Math.max(lastFailureMs, ctx.fetchHealthySinceMs?.() ?? Number.NEGATIVE_INFINITY);
        if (state === undefined || nowMs - healthySince < settings.idleCloseMs) return 0;
        if (ctx.hasBacklog?.(state.partition) === true) return 0;
        const symbols = idleSymbols(state, nowMs, settings.idleCloseMs);
        if (symbols.length === 0) return 0;
        try {
          const unrestored = symbols.filter((s) => !state.symbols.has(s));
          // One attempt: waiting here would hold the consumer's batches; the next tick retries.
          const once: BatchContext = { heartbeat: () => Promise.resolve(), shouldAbandon: () => false };
          await restore(
            state,
            unrestored,
            { ...once, shouldAbandon: () => ctx.shouldAbandon() },
            new Map(unrestored.map((s) => [s, unrestoredClock(state, s)])),
          );
          const plan = closeIdleSymbols(state, symbols);
          await timed("idle", () => writeTradePlan(state.partition, plan));
          emitLive(plan.live);
          stats.idleCloses++;
          log.info(
            { partition: state.partition, symbols: symbols.length, windows: plan.candles.length },
            "idle symbols: open windows finalized",
          );
          return plan.candles.length;
        } catch (error) {
          lastFailureMs = now();
          // Drop the state: the next attempt restores the still-open windows from Cassandra.
          trades.delete(state.partition);
          if (error instanceof FatalStreamError) throw error;
          log.error({ err: error, partition: state.partition }, "idle close failed; state dropped, will retry");
          return 0;
        }
      });
    }
    return closed;
  }

  return {
    assign,
    processBatch,
    closeIdle,
    stats: (): Readonly<StreamStats> => ({ ...stats }),
    /** Anomaly alerts written (a replayed one counts again). */
    alertsWritten: (): number => alertsWritten,
    /** Windows held in memory, per trades partition (for tests and metrics). */
    openWindows: (): Map<number, number> => new Map([...trades].map(([p, s]) => [p, partitionOpenWindows(s)])),
  };
}

export type StreamProcessor = ReturnType<typeof createStreamProcessor>;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
