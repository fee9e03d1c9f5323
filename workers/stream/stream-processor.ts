// The stream worker's processing of one Kafka batch, independent of kafkajs: validate → DLQ,
// fold trades into the partition's window aggregator (restored from Cassandra first), join trades
// with the NBBO, then write raw ticks, candles, latest state and progress as idempotent upserts.
// The caller resolves/commits offsets only when processBatch reports the batch as written.
//
// Restart exactness (see db/migrations/004_stream_state.cql): before a batch's candle writes, each
// symbol's max event time goes to stream_progress; after its final writes, the drained watermark.
// On (re)assignment the windows that may be stored but not final (ending after the drained
// watermark, starting at or before the max event time) are read back and seeded with their
// last_offset, so replayed trades already in them are skipped. A trade for a window that left
// memory (drained or evicted) re-reads the stored window first and folds into it, so what is
// written is always the stored candle plus exactly the trades after its last_offset.
//
// Final 1m candles also feed per-symbol indicators (stored with the candle, migration 005), and
// every written round is handed to `onLiveUpdates` once its writes succeeded.
//
// Anomaly scoring (anomaly-scorer.ts) runs in the same fold: trade prices and final 1m volumes per
// trades partition, NBBO spreads per quotes partition. Its alerts are written first in their round
// (before the progress that marks their observations as scored), then published with the rest.
import type { AnomalyAlert } from "../../core/anomaly";
import { compareDecimalStrings, mergeCandles, type Candle } from "../../core/candles";
import {
  candleIndicatorsOf,
  INDICATOR_HISTORY,
  restoreIndicatorState,
  updateIndicators,
  type IndicatorState,
} from "../../core/indicators";
import { INTERVAL_MS, STREAM_INTERVALS, windowStart, type Interval } from "../../core/intervals";
import { applyTradeToLatest, type LatestState } from "../../core/latest-state";
import { latestPerKey, toCandleUpdate, toPriceUpdate, toSpreadUpdate, type LiveUpdate } from "../../core/live-updates";
import { applyQuote, createQuoteBook, joinTrade, nbboAt, type QuoteBook } from "../../core/quote-book";
import type { DlqRecord, Price, Quote, TickKind, Trade } from "../../core/schemas";
import {
  addTrade,
  aggregatorWatermark,
  createAggregator,
  drainClosed,
  getWindow,
  openCandles,
  openWindowCount,
  restoreWindow,
  type AggregatorState,
  type CandleKey,
  type WindowOutput,
} from "../../core/window-aggregator";
import type { CandleRow, CassandraStore, NbboRow, QuoteRow, StoredCandle, TradeRow } from "../../adapters/cassandra-store";
import type { AnomalySettings, StreamSettings } from "../../adapters/config";
import type { TopicNames } from "../../adapters/kafka";
import type { Logger } from "../../adapters/logger";
import { createAnomalyScorer, toAlertRow, toAlertUpdates, type AnomalyScorer } from "./anomaly-scorer";
import { dlqRecord, parseTick } from "./parse-message";

export type BatchMessage = { offset: string; key: Buffer | null; value: Buffer | null };
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
  /**
   * True when the consumer knows more records of this trades partition are waiting (its last
   * batch's offset lag): the partition is catching up, not idle, so its windows stay open.
   */
  hasBacklog?(partition: number): boolean;
};

export type DlqSink = (records: readonly { key: Buffer | null; value: DlqRecord }[]) => Promise<void>;

/** What a timed write round covered: a kind of batch, or an idle partition's close. */
export type WriteKind = TickKind | "idle";

export type StreamProcessorOptions = {
  store: CassandraStore;
  sendDlq: DlqSink;
  topics: TopicNames;
  groupId: string;
  settings: Pick<StreamSettings, "allowedLatenessMs" | "idleCloseMs" | "maxOpenWindows" | "joinToleranceMs" | "quoteVenueMode" | "retryMaxBackoffMs">;
  intervals?: readonly Interval[];
  /** Anomaly detectors and their symbol cap; no anomaly scoring when absent. */
  anomaly?: AnomalySettings;
  log: Logger;
  /** Wall clock (ms); used for idleness, backoff, updated_at and write timings only, never for event time. */
  now?: () => number;
  /**
   * Receives the live updates of each round of writes once they succeeded (candles written, latest
   * prices, spreads), conflated per key. Must hand them off without blocking or throwing.
   */
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
  duplicatesSkipped: number;
  windowsRestored: number;
  candleRowsWritten: number;
  finalCandlesWritten: number;
  writeRetries: number;
  abandonedBatches: number;
  idleCloses: number;
  partialDeltas: number;
  lastWriteMs: number;
  /** Symbols whose indicators were rebuilt from stored final candles (after an assignment). */
  indicatorRestores: number;
};

type SymbolProgress = { firstEventTsMs: number; maxEventTsMs: number };
type LatestEntry = { state: LatestState | undefined; lastOffset: string | undefined };

/** Per trades-partition state; dropped on revocation or on a batch given up mid-way. */
type TradePartition = {
  partition: number;
  aggregator: AggregatorState;
  progress: Map<string, SymbolProgress>;
  latest: Map<string, LatestEntry>;
  firstSeen: Map<string, number | undefined>;
  /** Outputs produced outside a batch (evicted while restoring), written with the next batch. */
  pending: WindowOutput[];
  lastTradeWallMs: number;
  /** Indicators over final 1m candles, per symbol of the partition (rebuilt lazily after assignment). */
  indicators: Map<string, IndicatorState>;
  /** Price and volume anomaly detectors of the partition's symbols (when scoring is on). */
  anomaly: AnomalyScorer | undefined;
};

class Abandoned extends Error {
  constructor(what: string) {
    super(`gave up ${what}: consumer stopping or partition reassigned`);
  }
}

const keyOf = (k: CandleKey): string => `${k.symbol}|${k.interval}|${k.windowStart}`;
const endOf = (c: Candle): number => c.windowStart + INTERVAL_MS[c.interval];
/** Indicators run over final candles of this interval. */
const INDICATOR_INTERVAL = "1m" satisfies Interval;

type Reader = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export function createStreamProcessor(options: StreamProcessorOptions) {
  const { store, topics, groupId, settings, log } = options;
  const intervals = options.intervals ?? STREAM_INTERVALS;
  const now = options.now ?? Date.now;
  const tradeStates = new Map<number, TradePartition>();
  const books = new Map<number, QuoteBook>();
  const anomalySettings = options.anomaly;
  /** Spread detectors per quotes partition; dropped like trade state (revoked, or a batch given up). */
  const quoteScorers = new Map<number, AnomalyScorer>();
  const stats: StreamStats = {
    batches: 0,
    messages: 0,
    trades: 0,
    quotes: 0,
    prices: 0,
    dlq: 0,
    lateTrades: 0,
    duplicatesSkipped: 0,
    windowsRestored: 0,
    candleRowsWritten: 0,
    finalCandlesWritten: 0,
    writeRetries: 0,
    abandonedBatches: 0,
    idleCloses: 0,
    partialDeltas: 0,
    lastWriteMs: 0,
    indicatorRestores: 0,
  };
  let alertsWritten = 0;
  // Every batch and idle close runs under this lock: a partition's state has one writer at a time.
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn, fn);
    lock = run.catch(() => undefined);
    return run;
  };

  const kindOf = (topic: string): TickKind | undefined =>
    topic === topics.trades ? "trades" : topic === topics.quotes ? "quotes" : topic === topics.prices ? "prices" : undefined;

  const bookOf = (partition: number): QuoteBook => {
    let book = books.get(partition);
    if (!book) {
      book = createQuoteBook({ venueMode: settings.quoteVenueMode });
      books.set(partition, book);
    }
    return book;
  };

  /** Runs `fn` until it succeeds, backing off and heartbeating; throws Abandoned when told to stop. */
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
        if (error instanceof Abandoned) throw error;
        stats.writeRetries++;
        if (attempt === 0) ctx.onBackpressure?.(true);
        const backoffMs = Math.min(settings.retryMaxBackoffMs, 200 * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
        log.warn({ err: error, what, attempt: attempt + 1, backoffMs: Math.round(backoffMs) }, "write failed; consumer paused, retrying");
        const until = now() + backoffMs;
        while (now() < until) {
          if (ctx.shouldAbandon()) throw new Abandoned(what);
          try {
            await ctx.heartbeat();
          } catch (heartbeatError) {
            log.warn({ err: heartbeatError }, "heartbeat failed while waiting to retry");
            throw new Abandoned(what);
          }
          await delay(Math.min(500, Math.max(0, until - now())));
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Assignment and restore

  async function restoreTradePartition(partition: number, ctx: BatchContext): Promise<TradePartition> {
    const existing = tradeStates.get(partition);
    if (existing) return existing;
    const aggregator = createAggregator({ intervals, allowedLatenessMs: settings.allowedLatenessMs, maxOpenWindows: settings.maxOpenWindows });
    const key = { group: groupId, topic: topics.trades, partition };
    const progress = await withRetry("reading stream progress", ctx, () => store.readProgress(key));
    const drainedMs = progress.drainedThroughMs;
    if (drainedMs !== undefined) drainClosed(aggregator, drainedMs);
    const state: TradePartition = {
      partition,
      aggregator,
      progress: progress.symbols,
      latest: new Map(),
      firstSeen: new Map(),
      pending: [],
      lastTradeWallMs: now(),
      indicators: new Map(),
      // Observations through the stored progress were scored by the previous owner (alerts first in its rounds).
      anomaly:
        anomalySettings &&
        createAnomalyScorer({
          ...anomalySettings,
          scoredThroughMs: [...progress.symbols].map(([symbol, p]): [string, number] => [symbol, p.maxEventTsMs]),
          ...(drainedMs !== undefined ? { barsScoredThroughMs: drainedMs } : {}),
        }),
    };
    // Windows that may be stored but not yet final: end after the drained watermark, start at or
    // before the symbol's max event time. Usually a handful per symbol and interval.
    const queries: { symbol: string; interval: Interval; fromMs: number; toMs: number }[] = [];
    for (const [symbol, p] of progress.symbols) {
      for (const interval of intervals) {
        const firstStart = windowStart(p.firstEventTsMs, interval);
        const fromMs = drainedMs === undefined ? firstStart : Math.max(firstStart, drainedMs - INTERVAL_MS[interval] + 1);
        if (fromMs <= p.maxEventTsMs) queries.push({ symbol, interval, fromMs, toMs: p.maxEventTsMs });
      }
    }
    const found: StoredCandle[] = [];
    for (let i = 0; i < queries.length; i += 32) {
      const chunk = queries.slice(i, i + 32);
      const rows = await withRetry("reading open windows", ctx, () =>
        Promise.all(chunk.map((q) => store.getCandles(q.symbol, q.interval, q.fromMs, q.toMs, settings.maxOpenWindows))),
      );
      found.push(...rows.flat());
    }
    for (const stored of found) {
      if (stored.sourcePartition !== undefined && stored.sourcePartition !== partition) continue;
      if (drainedMs !== undefined && endOf(stored.candle) <= drainedMs) continue;
      if (getWindow(aggregator, stored.candle) !== undefined) continue;
      state.pending.push(...restoreWindow(aggregator, stored.candle, stored.lastOffset));
      stats.windowsRestored++;
    }
    tradeStates.set(partition, state);
    log.info(
      { partition, symbols: progress.symbols.size, drainedThroughMs: drainedMs, restoredWindows: openWindowCount(aggregator) },
      "trades partition restored",
    );
    return state;
  }

  /** Applies a new assignment: forgets revoked partitions, restores newly assigned trade partitions. */
  function assign(assignment: Record<string, number[] | undefined>, ctx: BatchContext): Promise<void> {
    return exclusive(async () => {
      const trades = new Set(assignment[topics.trades] ?? []);
      const quotes = new Set(assignment[topics.quotes] ?? []);
      for (const partition of tradeStates.keys()) if (!trades.has(partition)) tradeStates.delete(partition);
      for (const partition of books.keys()) if (!quotes.has(partition) && !trades.has(partition)) books.delete(partition);
      for (const partition of quoteScorers.keys()) if (!quotes.has(partition)) quoteScorers.delete(partition);
      for (const partition of trades) {
        try {
          await restoreTradePartition(partition, ctx);
        } catch (error) {
          if (!(error instanceof Abandoned)) throw error;
          log.warn({ partition }, "restore given up (rebalance); the next batch restores again");
        }
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // Batches

  /** Processes a batch; true when everything it covers is written (the caller may then commit). */
  function processBatch(batch: BatchInput, ctx: BatchContext): Promise<boolean> {
    return exclusive(async () => {
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
        // The aggregator may hold trades whose writes never happened: forget it, the next owner
        // (or this worker) restores from Cassandra and the uncommitted batch is replayed.
        if (kind === "trades") tradeStates.delete(batch.partition);
        if (kind === "quotes") quoteScorers.delete(batch.partition);
        if (!(error instanceof Abandoned)) throw error;
        stats.abandonedBatches++;
        log.warn({ topic: batch.topic, partition: batch.partition, err: error }, "batch abandoned, state dropped");
        return false;
      }
    });
  }

  /** Splits a batch into valid ticks (with offsets) and DLQ records; sends the DLQ records. */
  async function validate<K extends TickKind>(kind: K, batch: BatchInput, ctx: BatchContext) {
    const valid: { tick: K extends "trades" ? Trade : K extends "quotes" ? Quote : Price; offset: string }[] = [];
    const refused: { key: Buffer | null; value: DlqRecord }[] = [];
    for (const m of batch.messages) {
      const parsed = parseTick(kind, m.key, m.value);
      if (parsed.ok) valid.push({ tick: parsed.value, offset: m.offset });
      else refused.push({ key: m.key, value: dlqRecord(batch.topic, batch.partition, m.offset, m.value, parsed.reason, now()) });
    }
    if (refused.length > 0) {
      await withRetry("sending to the DLQ", ctx, () => options.sendDlq(refused));
      stats.dlq += refused.length;
      log.warn({ topic: batch.topic, partition: batch.partition, count: refused.length, firstReason: refused[0]?.value.reason }, "invalid messages sent to the DLQ");
    }
    return valid;
  }

  async function processTrades(batch: BatchInput, ctx: BatchContext): Promise<void> {
    const state = await restoreTradePartition(batch.partition, ctx);
    const valid = await validate("trades", batch, ctx);
    if (valid.length === 0) return;
    const agg = state.aggregator;
    const partition = batch.partition;

    // 1. Windows that left memory but are touched again: fold into the stored candle.
    const lookups = new Map<string, CandleKey>();
    for (const { tick } of valid) {
      if (tick.suspicious === true) continue;
      for (const interval of intervals) {
        const closedMs = Math.max(agg.drainedThroughMs, agg.closedEarlyThroughMs.get(interval) ?? Number.NEGATIVE_INFINITY);
        const key: CandleKey = { symbol: tick.symbol, interval, windowStart: windowStart(tick.ts, interval) };
        if (key.windowStart + INTERVAL_MS[interval] <= closedMs && getWindow(agg, key) === undefined) lookups.set(keyOf(key), key);
      }
    }
    if (lookups.size > 0) {
      const keys = [...lookups.values()];
      const stored = await withRetry("reading late windows", ctx, () => store.readCandles(keys));
      for (const s of stored) {
        if (s === undefined || (s.sourcePartition !== undefined && s.sourcePartition !== partition)) continue;
        state.pending.push(...restoreWindow(agg, s.candle, s.lastOffset));
        stats.windowsRestored++;
      }
    }

    // 2. Latest state and first-seen of symbols this session has not read yet.
    const newSymbols = [...new Set(valid.map((v) => v.tick.symbol))].filter((s) => !state.latest.has(s));
    if (newSymbols.length > 0) {
      const [latest, firstSeen] = await withRetry("reading latest state", ctx, () =>
        Promise.all([store.readLatestStates(newSymbols), store.readSymbolsFirstSeen(newSymbols)]),
      );
      newSymbols.forEach((symbol, i) => {
        const stored = latest[i];
        const samePartition = stored?.sourcePartition === undefined || stored.sourcePartition === partition;
        state.latest.set(symbol, { state: stored?.state, lastOffset: samePartition ? stored?.lastOffset : undefined });
        state.firstSeen.set(symbol, firstSeen[i]);
      });
    }

    // 3. Fold (pure, in memory).
    const drainedBeforeMs = agg.drainedThroughMs;
    const book = bookOf(partition);
    const tradeRows: TradeRow[] = [];
    const touched = new Map<string, CandleKey>();
    const outputs: WindowOutput[] = state.pending.splice(0);
    const latestChanged = new Set<string>();
    const progressChanged = new Set<string>();
    const seen = new Map<string, { minTs: number; maxTs: number }>();
    const lastQuoted = new Map<string, { ts: number; tradeId: string; bid: number; ask: number; effectiveSpread: number }>();
    const alerts: AnomalyAlert[] = [];
    for (const { tick: trade, offset } of valid) {
      const join = joinTrade(book, trade, { toleranceMs: settings.joinToleranceMs });
      tradeRows.push(
        join.noQuote ? { ...trade, side: join.side } : { ...trade, bid: join.bid, ask: join.ask, side: join.side, effectiveSpread: join.effectiveSpread },
      );
      if (!join.noQuote && trade.suspicious !== true && trade.ts >= (lastQuoted.get(trade.symbol)?.ts ?? Number.NEGATIVE_INFINITY)) {
        lastQuoted.set(trade.symbol, { ts: trade.ts, tradeId: trade.tradeId, bid: join.bid, ask: join.ask, effectiveSpread: join.effectiveSpread });
      }
      const result = addTrade(agg, trade, { offset });
      if (result.late) stats.lateTrades++;
      if (result.skipped === "duplicate") stats.duplicatesSkipped++;
      if (result.skipped === undefined && state.anomaly) alerts.push(...state.anomaly.scoreTrade(trade));
      for (const k of result.touched) touched.set(keyOf(k), k);
      outputs.push(...result.closedEarly);
      const entry = state.latest.get(trade.symbol) ?? { state: undefined, lastOffset: undefined };
      if (entry.lastOffset === undefined || compareDecimalStrings(offset, entry.lastOffset) > 0) {
        state.latest.set(trade.symbol, { state: applyTradeToLatest(entry.state, trade), lastOffset: offset });
        latestChanged.add(trade.symbol);
      }
      const s = seen.get(trade.symbol);
      seen.set(trade.symbol, { minTs: Math.min(s?.minTs ?? trade.ts, trade.ts), maxTs: Math.max(s?.maxTs ?? trade.ts, trade.ts) });
      if (trade.suspicious !== true) {
        const p = state.progress.get(trade.symbol);
        if (p === undefined) {
          state.progress.set(trade.symbol, { firstEventTsMs: trade.ts, maxEventTsMs: trade.ts });
          progressChanged.add(trade.symbol);
        } else if (trade.ts > p.maxEventTsMs || trade.ts < p.firstEventTsMs) {
          p.maxEventTsMs = Math.max(p.maxEventTsMs, trade.ts);
          p.firstEventTsMs = Math.min(p.firstEventTsMs, trade.ts);
          progressChanged.add(trade.symbol);
        }
      }
    }
    const drained = drainClosed(agg);
    const finalThroughMs = agg.drainedThroughMs;
    state.lastTradeWallMs = now();
    stats.trades += valid.length;
    await ctx.heartbeat();

    // 4. Write plan, fixed before the first attempt so every retry writes the same thing.
    const byKey = new Map<string, WindowOutput[]>();
    for (const o of [...outputs, ...drained]) {
      const k = keyOf(o.candle);
      const list = byKey.get(k);
      if (list) list.push(o);
      else byKey.set(k, [o]);
    }
    const provisional: WindowOutput[] = [];
    for (const [k, key] of touched) {
      if (byKey.has(k)) continue;
      const w = getWindow(agg, key);
      if (w !== undefined && w.kind === "full") provisional.push(w);
    }
    const latestRows = [...latestChanged].flatMap((symbol) => {
      const e = state.latest.get(symbol);
      return e?.state ? [{ state: e.state, sourcePartition: partition, lastOffset: e.lastOffset }] : [];
    });
    const progressRows = [...progressChanged].flatMap((symbol) => {
      const p = state.progress.get(symbol);
      return p ? [{ symbol, ...p }] : [];
    });
    const symbolRows = [...seen].map(([symbol, s]) => {
      const known = state.firstSeen.get(symbol);
      const first = known === undefined || s.minTs < known ? s.minTs : undefined;
      return first === undefined ? { symbol, lastSeenMs: s.maxTs } : { symbol, lastSeenMs: s.maxTs, firstSeenMs: first };
    });
    const progressKey = { group: groupId, topic: topics.trades, partition };
    const retrying: Reader = (what, fn) => withRetry(what, ctx, fn);
    // Resolved once (a retry after a partial write then writes the same rows, which is idempotent),
    // so the indicators, fed exactly once per final candle, go with fixed rows.
    const candleRows = await retrying("reading windows to merge", () => resolveWindowRows(byKey, partition, finalThroughMs));
    for (const w of provisional) candleRows.push({ candle: w.candle, isFinal: false, sourcePartition: partition, lastOffset: w.lastOffset });
    await applyIndicators(state, candleRows, drainedBeforeMs, retrying);
    alerts.push(...scoreBars(state, candleRows));
    const alertRows = alerts.map(toAlertRow);

    const startedMs = now();
    await retrying("writing trades batch", () =>
      timed("trades", async () => {
        if (alertRows.length > 0) await store.writeAlerts(alertRows);
        if (progressRows.length > 0) await store.writeProgressSymbols(progressKey, progressRows, now());
        await Promise.all([
          store.writeTrades(tradeRows),
          store.writeCandles(candleRows, now()),
          store.writeLatestTrades(latestRows, now()),
          store.writeSymbolsSeen(symbolRows),
        ]);
        if (drained.length > 0 || byKey.size > 0) await store.writeProgressDrained(progressKey, finalThroughMs);
      }),
    );
    // Idleness counts from the end of the round: a slow write is not a pause of the feed.
    state.lastTradeWallMs = now();
    stats.candleRowsWritten += candleRows.length;
    stats.finalCandlesWritten += candleRows.filter((r) => r.isFinal).length;
    alertsWritten += alertRows.length;
    stats.lastWriteMs = now() - startedMs;
    for (const r of symbolRows) if (r.firstSeenMs !== undefined) state.firstSeen.set(r.symbol, r.firstSeenMs);

    emitLive(() => {
      const updates: LiveUpdate[] = candleUpdates(candleRows);
      for (const symbol of latestChanged) {
        const latest = state.latest.get(symbol)?.state;
        if (latest === undefined) continue;
        const quoted = lastQuoted.get(symbol);
        updates.push(toPriceUpdate(latest, quoted?.tradeId === latest.lastTradeId && quoted.ts === latest.lastTs ? quoted : {}));
      }
      for (const [symbol, q] of lastQuoted) {
        const spread = toSpreadUpdate(symbol, q.ts, q, q.effectiveSpread);
        if (spread) updates.push(spread);
      }
      updates.push(...toAlertUpdates(alerts));
      return latestPerKey(updates);
    });
  }

  /** Runs one write round and reports its duration when it succeeds. */
  async function timed<T>(kind: WriteKind, fn: () => Promise<T>): Promise<T> {
    const startedMs = now();
    const result = await fn();
    options.onWrite?.(kind, (now() - startedMs) / 1_000);
    return result;
  }

  /** Hands the updates `build` makes to onLiveUpdates; a failure there never fails the batch. */
  function emitLive(build: () => LiveUpdate[]): void {
    if (!options.onLiveUpdates) return;
    try {
      const updates = build();
      if (updates.length > 0) options.onLiveUpdates(updates);
    } catch (error) {
      log.error({ err: error }, "building live updates failed; skipped (Cassandra has the data)");
    }
  }

  /** Scores the volumes of the final bars among `rows`, per symbol in window order (once each: see core/anomaly). */
  function scoreBars(state: TradePartition, rows: readonly CandleRow[]): AnomalyAlert[] {
    const scorer = state.anomaly;
    if (!scorer) return [];
    const finals = rows.filter((r) => r.isFinal && r.candle.interval === INDICATOR_INTERVAL).sort((a, b) => a.candle.windowStart - b.candle.windowStart);
    return finals.flatMap((r) => scorer.scoreBar(r.candle, r.isFinal));
  }

  function candleUpdates(rows: readonly CandleRow[]): LiveUpdate[] {
    return rows.flatMap((r) => toCandleUpdate(r.candle, r.isFinal, r.indicators) ?? []);
  }

  /**
   * Feeds the final 1m candles among `rows` into the partition's indicators, per symbol in window
   * order, and puts the values on their rows. A symbol's state is rebuilt on first use from its
   * newest stored final candles that an uninterrupted run would already have applied (windows
   * ending at or before `drainedBeforeMs`, the watermark before this round), EMAs resuming from
   * the values stored with them, so a restart gives the values an uninterrupted run gives. A
   * window already applied (a late correction of a final candle) gets no values: its stored ones stay.
   */
  async function applyIndicators(state: TradePartition, rows: CandleRow[], drainedBeforeMs: number, read: Reader): Promise<void> {
    const finals = rows.filter((r) => r.isFinal && r.candle.interval === INDICATOR_INTERVAL);
    if (finals.length === 0) return;
    finals.sort((a, b) => (a.candle.symbol < b.candle.symbol ? -1 : a.candle.symbol > b.candle.symbol ? 1 : a.candle.windowStart - b.candle.windowStart));
    const missing = [...new Set(finals.map((r) => r.candle.symbol))].filter((symbol) => !state.indicators.has(symbol));
    const toMs = drainedBeforeMs - INTERVAL_MS[INDICATOR_INTERVAL];
    for (let i = 0; i < missing.length; i += 32) {
      const chunk = missing.slice(i, i + 32);
      const histories = await read("reading indicator history", () =>
        Promise.all(
          chunk.map((symbol) => {
            const firstMs = state.progress.get(symbol)?.firstEventTsMs;
            if (firstMs === undefined || !Number.isFinite(toMs)) return Promise.resolve([]);
            const fromMs = windowStart(firstMs, INDICATOR_INTERVAL);
            return fromMs <= toMs ? store.getCandles(symbol, INDICATOR_INTERVAL, fromMs, toMs, INDICATOR_HISTORY) : Promise.resolve([]);
          }),
        ),
      );
      chunk.forEach((symbol, j) => {
        // Newest first from the store; the state wants the oldest first.
        const storedFinals = (histories[j] ?? []).filter((s) => s.isFinal).reverse();
        const history = storedFinals.map((s) => ({ windowStart: s.candle.windowStart, close: s.candle.close, ema20: s.indicators.ema20, ema50: s.indicators.ema50 }));
        // The same stored bars restore the volume baseline (they end before this round: already scored).
        for (const s of storedFinals) state.anomaly?.scoreBar(s.candle, true);
        state.indicators.set(symbol, restoreIndicatorState(symbol, INDICATOR_INTERVAL, history));
        if (history.length > 0) stats.indicatorRestores++;
      });
    }
    for (const row of finals) {
      const indicators = state.indicators.get(row.candle.symbol);
      const snapshot = indicators === undefined ? undefined : updateIndicators(indicators, row.candle);
      if (snapshot !== undefined) row.indicators = candleIndicatorsOf(snapshot);
    }
  }

  /**
   * Turns each window's outputs (in emission order) into one row: a "full" output replaces, a
   * "late-delta" merges into what precedes it or into the stored row, unless the stored row's
   * last_offset shows it is already in (a retry after a partial write).
   */
  async function resolveWindowRows(byKey: Map<string, WindowOutput[]>, partition: number, finalThroughMs: number) {
    const needStored = [...byKey.values()].filter((list) => list[0]?.kind === "late-delta").map((list) => (list[0] as WindowOutput).candle);
    const stored = needStored.length > 0 ? await store.readCandles(needStored) : [];
    const storedByKey = new Map(needStored.map((c, i) => [keyOf(c), stored[i]]));
    const rows: CandleRow[] = [];
    for (const [k, list] of byKey) {
      let base: { candle: Candle; lastOffset: string | undefined } | undefined;
      const s = storedByKey.get(k);
      if (s !== undefined) base = s.sourcePartition === undefined || s.sourcePartition === partition ? { candle: s.candle, lastOffset: s.lastOffset } : { candle: s.candle, lastOffset: undefined };
      for (const o of list) {
        if (o.kind === "full" || base === undefined) {
          base = { candle: o.candle, lastOffset: o.lastOffset };
          continue;
        }
        if (base.lastOffset !== undefined && o.firstOffset !== undefined && compareDecimalStrings(o.firstOffset, base.lastOffset) <= 0) {
          if (o.lastOffset !== undefined && compareDecimalStrings(o.lastOffset, base.lastOffset) <= 0) continue;
          stats.partialDeltas++;
          log.error({ key: k, stored: base.lastOffset, delta: [o.firstOffset, o.lastOffset] }, "late delta overlaps the stored window; merging it whole");
        }
        base = { candle: mergeCandles(base.candle, o.candle), lastOffset: o.lastOffset ?? base.lastOffset };
      }
      if (base) rows.push({ candle: base.candle, isFinal: endOf(base.candle) <= finalThroughMs, sourcePartition: partition, lastOffset: base.lastOffset });
    }
    return rows;
  }

  async function processQuotes(batch: BatchInput, ctx: BatchContext): Promise<void> {
    const valid = await validate("quotes", batch, ctx);
    if (valid.length === 0) return;
    const book = bookOf(batch.partition);
    const scorer = await quoteScorerOf(batch.partition, valid, ctx);
    const alerts: AnomalyAlert[] = [];
    const rows: QuoteRow[] = [];
    const lastTs = new Map<string, number>();
    for (const { tick, offset } of valid) {
      if (applyQuote(book, tick).applied && scorer) alerts.push(...scoreSpread(scorer, book, tick.symbol, tick.ts));
      rows.push({ ...tick, sourcePartition: batch.partition, sourceOffset: offset });
      lastTs.set(tick.symbol, Math.max(lastTs.get(tick.symbol) ?? tick.ts, tick.ts));
    }
    const nbboRows: NbboRow[] = [];
    for (const [symbol, tsMs] of lastTs) {
      const lookup = nbboAt(book, symbol, tsMs);
      if (lookup.status !== "ok") continue;
      const { bid, ask, bidSize, askSize } = lookup.nbbo;
      nbboRows.push({ symbol, tsMs, ...(bid !== undefined ? { bid, bidSize } : {}), ...(ask !== undefined ? { ask, askSize } : {}) });
    }
    stats.quotes += valid.length;
    const alertRows = alerts.map(toAlertRow);
    await withRetry("writing quotes batch", ctx, () =>
      timed("quotes", async () => {
        // Before the latest quote time, which tells the next owner these quotes were scored.
        if (alertRows.length > 0) await store.writeAlerts(alertRows);
        await Promise.all([store.writeQuotes(rows), store.writeLatestQuotes(nbboRows)]);
      }),
    );
    alertsWritten += alertRows.length;
    emitLive(() => [...nbboRows.flatMap((r) => toSpreadUpdate(r.symbol, r.tsMs, r) ?? []), ...toAlertUpdates(alerts)]);
  }

  /**
   * The partition's spread scorer; symbols it does not know yet get the stored latest quote time as
   * the time through which a previous run scored them.
   */
  async function quoteScorerOf(partition: number, valid: readonly { tick: Quote }[], ctx: BatchContext): Promise<AnomalyScorer | undefined> {
    if (!anomalySettings) return undefined;
    let scorer = quoteScorers.get(partition);
    if (scorer === undefined) {
      scorer = createAnomalyScorer(anomalySettings);
      quoteScorers.set(partition, scorer);
    }
    const known = scorer;
    const unknown = [...new Set(valid.map((v) => v.tick.symbol))].filter((symbol) => !known.knows(symbol));
    if (unknown.length > 0) {
      const latest = await withRetry("reading latest quote times", ctx, () => store.getLatest(unknown));
      unknown.forEach((symbol, i) => known.setScoredThrough(symbol, latest[i]?.quoteTsMs));
    }
    return scorer;
  }

  /** Scores the NBBO of `symbol` just after a quote at `tsMs` changed it (two-sided only). */
  function scoreSpread(scorer: AnomalyScorer, book: QuoteBook, symbol: string, tsMs: number): AnomalyAlert[] {
    const lookup = nbboAt(book, symbol, tsMs);
    if (lookup.status !== "ok") return [];
    const { bid, ask } = lookup.nbbo;
    return bid === undefined || ask === undefined ? [] : scorer.scoreNbbo(symbol, tsMs, bid, ask);
  }

  async function processPrices(batch: BatchInput, ctx: BatchContext): Promise<void> {
    const valid = await validate("prices", batch, ctx);
    if (valid.length === 0) return;
    stats.prices += valid.length;
    await withRetry("writing prices batch", ctx, () => timed("prices", () => store.writePrices(valid.map((v) => v.tick))));
  }

  // ------------------------------------------------------------------------------------------
  // Idle close

  /**
   * Finalizes every open window of trade partitions that had no trade for `idleCloseMs` of wall
   * time and no known backlog (the feed stopped, so no trade would ever move their watermark). A
   * trade arriving later for such a window still corrects it (late, by upsert). Returns the number of windows closed.
   */
  function closeIdle(ctx: IdleContext): Promise<number> {
    return exclusive(async () => {
      let closed = 0;
      for (const state of [...tradeStates.values()]) {
        const agg = state.aggregator;
        if (now() - state.lastTradeWallMs < settings.idleCloseMs) continue;
        // It drains through the newest window's end (the 1h one): done mid-backlog, every later 1m
        // window would go final at its batch boundary with part of its trades, and its indicators,
        // applied once per final candle, would keep the partial close.
        if (ctx.hasBacklog?.(state.partition) === true) continue;
        if (openWindowCount(agg) === 0 && state.pending.length === 0) continue;
        const open = openCandles(agg);
        const throughMs = Math.max(aggregatorWatermark(agg), ...open.map((o) => endOf(o.candle)));
        const drainedBeforeMs = agg.drainedThroughMs;
        const outputs = [...state.pending.splice(0), ...drainClosed(agg, throughMs)];
        const byKey = new Map<string, WindowOutput[]>();
        for (const o of outputs) byKey.set(keyOf(o.candle), [...(byKey.get(keyOf(o.candle)) ?? []), o]);
        const progressKey = { group: groupId, topic: topics.trades, partition: state.partition };
        try {
          // One attempt only: a wait here would block the consumer's heartbeats.
          const rows = await resolveWindowRows(byKey, state.partition, agg.drainedThroughMs);
          await applyIndicators(state, rows, drainedBeforeMs, (_what, fn) => fn());
          const alerts = scoreBars(state, rows);
          await timed("idle", async () => {
            if (alerts.length > 0) await store.writeAlerts(alerts.map(toAlertRow));
            await store.writeCandles(rows, now());
            await store.writeProgressDrained(progressKey, agg.drainedThroughMs);
          });
          emitLive(() => latestPerKey([...candleUpdates(rows), ...toAlertUpdates(alerts)]));
          alertsWritten += alerts.length;
          stats.candleRowsWritten += rows.length;
          stats.finalCandlesWritten += rows.filter((r) => r.isFinal).length;
          stats.idleCloses++;
          closed += rows.length;
          log.info({ partition: state.partition, windows: rows.length, throughMs }, "idle partition: open windows finalized");
        } catch (error) {
          // Drop the state: the next attempt restores the still-open windows from Cassandra.
          tradeStates.delete(state.partition);
          log.error({ err: error, partition: state.partition }, "idle close failed; state dropped, will retry");
        }
        if (ctx.shouldAbandon()) break;
      }
      return closed;
    });
  }

  return {
    assign,
    processBatch,
    closeIdle,
    stats: (): Readonly<StreamStats> => ({ ...stats }),
    /** Anomaly alerts written (a replayed one counts again). */
    alertsWritten: (): number => alertsWritten,
    /** Windows held in memory, per trades partition (for tests and metrics). */
    openWindows: (): Map<number, number> => new Map([...tradeStates].map(([p, s]) => [p, openWindowCount(s.aggregator)])),
  };
}

export type StreamProcessor = ReturnType<typeof createStreamProcessor>;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
