// The stream worker's round over one trades partition as a pure fold: no I/O, no clock reads (wall
// time is passed in). The worker restores what a round needs (reads planned here), folds the
// batch into the partition's state, and executes the write plan it gets back; offsets are
// committed only after the plan is written.
//
// Event time is kept per symbol: each symbol has its own aggregator and watermark (its max event
// time minus the allowed lateness), so a replay of a past day beside a live feed on the same
// partition, or one wild tick, moves only its own symbol's clock.
//
// Restart exactness. Before a round's candles, each symbol's first and max event time are written
// (`progress`); after them, each symbol's per-interval closed marks (`closed`: windows ending at or
// before are stored final). A restored symbol reads back the windows that may be stored but not
// final and seeds its aggregator with them and their last offset, so replayed trades already in
// them are skipped. A trade for a window that left memory is folded into the stored window (read
// before the fold). Raw trades are written after the candles, so a stored raw trade means its
// candles are stored too: the de-duplication below relies on it.
//
// De-duplication by trade id (a trade produced twice at different offsets counts once; a repeat
// is the same id at the same event time, as the raw table's key): each symbol remembers its newest
// trade ids; a trade older than what memory covers (the `dedupFloorMs`) is looked up in the raw
// trades table before the fold. Memory per symbol: `dedupIdsPerSymbol`.
import { createAnomalyScorer, toAlertUpdates, type AnomalyScorer } from "./anomaly-scorer";
import type { AnomalyAlert, AnomalyConfig } from "./anomaly";
import { compareDecimalStrings, mergeCandles, type Candle } from "./candles";
import {
  candleIndicatorsOf,
  INDICATOR_HISTORY,
  restoreIndicatorState,
  updateIndicators,
  type CandleIndicators,
  type IndicatorState,
} from "./indicators";
import { INTERVAL_MS, windowStart, type Interval } from "./intervals";
import { applyTradeToLatest, type LatestState } from "./latest-state";
import { latestPerKey, toCandleUpdate, toPriceUpdate, toSpreadUpdate, type LiveUpdate } from "./live-updates";
import { joinTrade, type QuoteBook } from "./quote-book";
import type { Trade } from "./schemas";
import type { ValidTick } from "./tick-messages";
import {
  addTrade,
  closeOpenWindows,
  createAggregator,
  drainClosed,
  getWindow,
  openCandles,
  openWindowCount,
  restoreWindow,
  type AggregatorState,
  type CandleKey,
  type WindowOutput,
} from "./window-aggregator";

/** Final candles of this interval feed the indicators and the volume detector. */
export const INDICATOR_INTERVAL = "1m" satisfies Interval;

export type TradeRoundSettings = {
  intervals: readonly Interval[];
  allowedLatenessMs: number;
  /** Windows one symbol holds in memory; past it its oldest closes early (written, not lost). */
  maxOpenWindowsPerSymbol: number;
  /** Symbols a partition holds in memory; past it the least recently traded is dropped (its state is stored, restored on its next trade). */
  maxSymbols: number;
  /** Trade ids a symbol remembers for de-duplication; older trades are checked against the raw table. */
  dedupIdsPerSymbol: number;
  /** As-of join: a quote older than this is no quote. */
  joinToleranceMs: number;
  /** Anomaly scoring; none when absent. */
  anomaly?: { detectors: AnomalyConfig; maxSymbols: number };
};

/** What is stored of a symbol's clock (stream_progress): event-time span and closed marks per interval. */
export type SymbolClock = {
  firstEventTsMs: number;
  maxEventTsMs: number;
  /** Per interval, windows ending at or before this are stored final. */
  closedThroughMs: Partial<Record<Interval, number>>;
};

/** A stored candle as the fold needs it. */
export type StoredWindow = {
  candle: Candle;
  isFinal: boolean;
  sourcePartition: number | undefined;
  lastOffset: string | undefined;
  indicators: CandleIndicators;
};

/** What restoring one symbol reads (see `restoreReads`). */
export type SymbolRestore = {
  clock: SymbolClock | undefined;
  /** Stored windows in the ranges `restoreReads` gave. */
  openWindows: readonly StoredWindow[];
  latest: { state: LatestState; sourcePartition: number | undefined; lastOffset: string | undefined } | undefined;
  firstSeenMs: number | undefined;
  /** Stored 1m candles ending at or before the closed mark, newest first (at most INDICATOR_HISTORY). */
  finalBars: readonly StoredWindow[];
};

/** The reads that restore a symbol whose clock is `clock` (undefined: a symbol never stored here). */
export type RestoreReads = {
  openRanges: { interval: Interval; fromMs: number; toMs: number }[];
  finalBars: { fromMs: number; toMs: number } | undefined;
};

export type CandleWrite = {
  candle: Candle;
  isFinal: boolean;
  sourcePartition: number;
  lastOffset: string | undefined;
  indicators?: CandleIndicators;
};
export type LatestWrite = { state: LatestState; sourcePartition: number; lastOffset: string | undefined };
export type TradeWrite = Trade & { bid?: number; ask?: number; side?: string; effectiveSpread?: number };
export type SymbolSeenWrite = { symbol: string; lastSeenMs: number; firstSeenMs?: number };
export type ProgressWrite = { symbol: string; firstEventTsMs: number; maxEventTsMs: number };
export type ClosedWrite = { symbol: string; closedThroughMs: Partial<Record<Interval, number>> };

/** Everything one round writes, in the order it must be written (see the worker's executor). */
export type TradeRoundPlan = {
  /** First: alerts (before the progress that marks their observations as scored). */
  alerts: AnomalyAlert[];
  /** Before the candles: the event-time span they may cover. */
  progress: ProgressWrite[];
  candles: CandleWrite[];
  latest: LatestWrite[];
  symbolsSeen: SymbolSeenWrite[];
  /** After the candles: a stored raw trade means its candles are stored. */
  trades: TradeWrite[];
  /** Last: the closed marks of the final windows written. */
  closed: ClosedWrite[];
  /** Published once the plan is written. */
  live: LiveUpdate[];
  /** Symbols the round traded: their idleness counts from the end of its writes (`markWritten`). */
  symbols: string[];
  stats: TradeRoundStats;
};

export type TradeRoundStats = {
  trades: number;
  /** Same trade id seen before (another offset, or a redelivery already stored). */
  duplicates: number;
  /** Redeliveries of an offset already folded into its windows. */
  redelivered: number;
  late: number;
  finalCandles: number;
};

type SymbolState = {
  readonly symbol: string;
  readonly agg: AggregatorState;
  firstEventTsMs: number | undefined;
  /** Max event time written to progress (suspicious trades excluded). */
  maxEventTsMs: number | undefined;
  latest: LatestState | undefined;
  latestOffset: string | undefined;
  firstSeenMs: number | undefined;
  readonly indicators: IndicatorState;
  /** Newest trade ids (insertion order) with their event time. */
  readonly recentIds: Map<string, number>;
  /** Trades older than this are not all in recentIds: check the raw table. */
  dedupFloorMs: number;
  /** Closed marks last written. */
  closedWritten: Partial<Record<Interval, number>>;
  lastTradeWallMs: number;
  /** Outputs made outside a round (windows evicted while restoring), written with the next. */
  readonly pending: WindowOutput[];
};

/** One trades partition's state: owned by the worker holding the partition, mutated by the fold. */
export type TradePartitionState = {
  readonly partition: number;
  readonly settings: TradeRoundSettings;
  /** Recency order: a traded symbol moves to the end. */
  readonly symbols: Map<string, SymbolState>;
  /** Symbols with windows that may be open, not held (stored progress at assignment, or evicted): for the idle close. */
  readonly unrestoredOpen: Map<string, { clock: SymbolClock; lastTradeWallMs: number }>;
  readonly anomaly: AnomalyScorer | undefined;
};

const endOf = (c: Candle): number => c.windowStart + INTERVAL_MS[c.interval];
const keyOf = (k: CandleKey): string => `${k.symbol}|${k.interval}|${k.windowStart}`;
/** The key of a raw trade row (symbol, ts, trade id) for the de-dup lookups. */
export const rawTradeKey = (t: { symbol: string; ts: number; tradeId: string }): string => `${t.symbol}|${t.ts}|${t.tradeId}`;

/** True when some interval's newest window at the clock's max event time may still be open. */
function hasOpenWindows(clock: SymbolClock, intervals: readonly Interval[]): boolean {
  return intervals.some(
    (i) => (clock.closedThroughMs[i] ?? Number.NEGATIVE_INFINITY) < windowStart(clock.maxEventTsMs, i) + INTERVAL_MS[i],
  );
}

/**
 * A partition's state after assignment, from its stored progress: symbols with windows that may
 * be open are remembered for the idle close; every symbol is restored lazily on its first trade.
 */
export function createTradePartition(
  partition: number,
  settings: TradeRoundSettings,
  stored: ReadonlyMap<string, SymbolClock>,
  nowWallMs: number,
): TradePartitionState {
  const unrestoredOpen = new Map<string, { clock: SymbolClock; lastTradeWallMs: number }>();
  for (const [symbol, clock] of stored)
    if (hasOpenWindows(clock, settings.intervals)) unrestoredOpen.set(symbol, { clock, lastTradeWallMs: nowWallMs });
  return {
    partition,
    settings,
    symbols: new Map(),
    unrestoredOpen,
    anomaly: settings.anomaly && createAnomalyScorer({ detectors: settings.anomaly.detectors, maxSymbols: settings.anomaly.maxSymbols }),
  };
}

/** Symbols of `ticks` the partition does not hold yet, in first-seen order. */
export function symbolsToRestore(state: TradePartitionState, ticks: readonly ValidTick<"trades">[]): string[] {
  const out = new Set<string>();
  for (const { tick } of ticks) if (!state.symbols.has(tick.symbol)) out.add(tick.symbol);
  return [...out];
}

/**
 * The stored windows that may be open for a clock (per interval: ending after its closed mark,
 * starting at or before the max event time) and the final bars that rebuild the indicators.
 */
export function restoreReads(settings: TradeRoundSettings, clock: SymbolClock | undefined): RestoreReads {
  if (clock === undefined) return { openRanges: [], finalBars: undefined };
  const openRanges: RestoreReads["openRanges"] = [];
  for (const interval of settings.intervals) {
    const firstStart = windowStart(clock.firstEventTsMs, interval);
    const closed = clock.closedThroughMs[interval];
    const fromMs = closed === undefined ? firstStart : Math.max(firstStart, closed - INTERVAL_MS[interval] + 1);
    if (fromMs <= clock.maxEventTsMs) openRanges.push({ interval, fromMs, toMs: clock.maxEventTsMs });
  }
  const barsClosed = clock.closedThroughMs[INDICATOR_INTERVAL];
  const finalBars =
    barsClosed === undefined
      ? undefined
      : { fromMs: windowStart(clock.firstEventTsMs, INDICATOR_INTERVAL), toMs: barsClosed - INTERVAL_MS[INDICATOR_INTERVAL] };
  return { openRanges, finalBars: finalBars && finalBars.fromMs <= finalBars.toMs ? finalBars : undefined };
}

/** Builds a symbol's state from what `restoreReads` read (the symbol must not be held). */
export function restoreSymbol(state: TradePartitionState, symbol: string, restore: SymbolRestore, nowWallMs: number): void {
  if (state.symbols.has(symbol)) throw new RangeError(`${symbol} is already restored`);
  const { settings, partition } = state;
  const clock = restore.clock;
  state.unrestoredOpen.delete(symbol);
  const agg = createAggregator({
    intervals: settings.intervals,
    allowedLatenessMs: settings.allowedLatenessMs,
    maxOpenWindows: settings.maxOpenWindowsPerSymbol,
  });
  const closedWritten = { ...clock?.closedThroughMs };
  if (clock !== undefined) {
    // The watermark resumes from the lowest closed mark; intervals closed further (an idle close) keep theirs.
    const marks = settings.intervals.map((i) => clock.closedThroughMs[i]);
    if (marks.every((m) => m !== undefined)) drainClosed(agg, Math.min(...marks));
    for (const interval of settings.intervals) {
      const mark = clock.closedThroughMs[interval];
      if (mark !== undefined && mark > agg.drainedThroughMs) agg.closedEarlyThroughMs.set(interval, mark);
    }
    agg.maxEventTsMs = clock.maxEventTsMs;
  }
  const pending: WindowOutput[] = [];
  for (const stored of restore.openWindows) {
    if (stored.sourcePartition !== undefined && stored.sourcePartition !== partition) continue;
    const closed = clock?.closedThroughMs[stored.candle.interval];
    if (closed !== undefined && endOf(stored.candle) <= closed) continue;
    if (getWindow(agg, stored.candle) !== undefined) continue;
    pending.push(...restoreWindow(agg, stored.candle, stored.lastOffset));
  }
  // Newest first from the store; the indicators want the oldest first.
  const bars = restore.finalBars
    .filter((b) => b.isFinal)
    .reverse()
    .slice(-INDICATOR_HISTORY);
  const indicators = restoreIndicatorState(
    symbol,
    INDICATOR_INTERVAL,
    bars.map((b) => ({ windowStart: b.candle.windowStart, close: b.candle.close, ema20: b.indicators.ema20, ema50: b.indicators.ema50 })),
  );
  if (state.anomaly && clock !== undefined) {
    // Observations through the stored clock were scored by the previous owner (alerts first in its rounds).
    state.anomaly.setScoredThrough(symbol, clock.maxEventTsMs);
    const barsClosed = clock.closedThroughMs[INDICATOR_INTERVAL];
    if (barsClosed !== undefined) state.anomaly.setBarsScoredThrough(symbol, barsClosed);
    // The stored bars refill the volume baseline (already scored: nothing is raised again).
    for (const b of bars) state.anomaly.scoreBar(b.candle, true);
  }
  const latest = restore.latest;
  const samePartition = latest?.sourcePartition === undefined || latest.sourcePartition === partition;
  state.symbols.set(symbol, {
    symbol,
    agg,
    firstEventTsMs: clock?.firstEventTsMs,
    maxEventTsMs: clock?.maxEventTsMs,
    latest: latest?.state,
    latestOffset: samePartition ? latest?.lastOffset : undefined,
    firstSeenMs: restore.firstSeenMs,
    indicators,
    recentIds: new Map(),
    dedupFloorMs: clock === undefined ? Number.NEGATIVE_INFINITY : clock.maxEventTsMs + 1,
    closedWritten,
    lastTradeWallMs: nowWallMs,
    pending,
  });
}

/** Keys of stored windows the batch's trades touch after they left memory (read them before the fold). */
export function lateWindowKeys(state: TradePartitionState, ticks: readonly ValidTick<"trades">[]): CandleKey[] {
  const keys = new Map<string, CandleKey>();
  for (const { tick } of ticks) {
    if (tick.suspicious === true) continue;
    const s = state.symbols.get(tick.symbol);
    if (s === undefined) throw new RangeError(`${tick.symbol} is not restored`);
    for (const interval of s.agg.intervals) {
      const closedMs = Math.max(s.agg.drainedThroughMs, s.agg.closedEarlyThroughMs.get(interval) ?? Number.NEGATIVE_INFINITY);
      const key: CandleKey = { symbol: tick.symbol, interval, windowStart: windowStart(tick.ts, interval) };
      if (key.windowStart + INTERVAL_MS[interval] <= closedMs && getWindow(s.agg, key) === undefined) keys.set(keyOf(key), key);
    }
  }
  return [...keys.values()];
}

/** Trades of the batch older than their symbol's de-dup memory: look them up in the raw trades table. */
export function dedupLookups(state: TradePartitionState, ticks: readonly ValidTick<"trades">[]): Trade[] {
  const out: Trade[] = [];
  for (const { tick } of ticks) {
    const s = state.symbols.get(tick.symbol);
    if (s === undefined) throw new RangeError(`${tick.symbol} is not restored`);
    if (tick.ts < s.dedupFloorMs && s.recentIds.get(tick.tradeId) !== tick.ts) out.push(tick);
  }
  return out;
}

export type FoldInputs = {
  /** Stored windows for `lateWindowKeys` (missing or undefined: none stored). */
  storedLate: ReadonlyMap<string, StoredWindow | undefined>;
  /** `rawTradeKey`s of the `dedupLookups` trades found in the raw table. */
  storedRaw: ReadonlySet<string>;
  /** The partition's quote book (trades are joined with the NBBO at their event time). */
  book: QuoteBook;
};

const emptyPlan = (): TradeRoundPlan => ({
  alerts: [],
  progress: [],
  candles: [],
  latest: [],
  symbolsSeen: [],
  trades: [],
  closed: [],
  live: [],
  symbols: [],
  stats: { trades: 0, duplicates: 0, redelivered: 0, late: 0, finalCandles: 0 },
});

type Quoted = { ts: number; tradeId: string; bid: number; ask: number; effectiveSpread: number };

/**
 * Folds a batch of valid trades (offset order) into the partition's state and returns the round's
 * write plan. Every symbol of the batch must be restored and the inputs read first.
 */
export function foldTrades(state: TradePartitionState, ticks: readonly ValidTick<"trades">[], inputs: FoldInputs): TradeRoundPlan {
  const plan = emptyPlan();
  const { partition, settings } = state;
  const touched = new Set<SymbolState>();
  const outputs = new Map<SymbolState, WindowOutput[]>();
  const latestChanged = new Set<SymbolState>();
  const progressChanged = new Set<SymbolState>();
  const seen = new Map<SymbolState, { minTs: number; maxTs: number }>();
  const lastQuoted = new Map<string, Quoted>();
  const touchedKeys = new Map<SymbolState, Map<string, CandleKey>>();

  // Late windows come back from storage first, so what is written is the stored candle plus exactly the trades after its last offset.
  for (const stored of inputs.storedLate.values()) {
    if (stored === undefined) continue;
    const s = state.symbols.get(stored.candle.symbol);
    if (s === undefined || getWindow(s.agg, stored.candle) !== undefined) continue;
    const samePartition = stored.sourcePartition === undefined || stored.sourcePartition === partition;
    const evicted = restoreWindow(s.agg, stored.candle, samePartition ? stored.lastOffset : undefined);
    if (evicted.length > 0) outputsOf(outputs, s).push(...evicted);
  }

  for (const { tick: trade, offset } of ticks) {
    const s = state.symbols.get(trade.symbol);
    if (s === undefined) throw new RangeError(`${trade.symbol} is not restored`);
    // A repeat is the same trade id at the same event time (a different time is another trade).
    if (s.recentIds.get(trade.tradeId) === trade.ts || (trade.ts < s.dedupFloorMs && inputs.storedRaw.has(rawTradeKey(trade)))) {
      plan.stats.duplicates++;
      continue;
    }
    s.recentIds.set(trade.tradeId, trade.ts);
    touched.add(s);
    plan.stats.trades++;

    const join = joinTrade(inputs.book, trade, { toleranceMs: settings.joinToleranceMs });
    plan.trades.push(
      join.noQuote
        ? { ...trade, side: join.side }
        : { ...trade, bid: join.bid, ask: join.ask, side: join.side, effectiveSpread: join.effectiveSpread },
    );
    if (!join.noQuote && trade.suspicious !== true && trade.ts >= (lastQuoted.get(trade.symbol)?.ts ?? Number.NEGATIVE_INFINITY)) {
      lastQuoted.set(trade.symbol, {
        ts: trade.ts,
        tradeId: trade.tradeId,
        bid: join.bid,
        ask: join.ask,
        effectiveSpread: join.effectiveSpread,
      });
    }

    const result = addTrade(s.agg, trade, { offset });
    if (result.late) plan.stats.late++;
    if (result.skipped === "duplicate") plan.stats.redelivered++;
    if (result.skipped === undefined && state.anomaly) plan.alerts.push(...state.anomaly.scoreTrade(trade));
    if (result.touched.length > 0) {
      let keys = touchedKeys.get(s);
      if (keys === undefined) touchedKeys.set(s, (keys = new Map<string, CandleKey>()));
      for (const k of result.touched) keys.set(keyOf(k), k);
    }
    if (result.closedEarly.length > 0) outputsOf(outputs, s).push(...result.closedEarly);

    if (s.latestOffset === undefined || compareDecimalStrings(offset, s.latestOffset) > 0) {
      s.latest = applyTradeToLatest(s.latest, trade);
      s.latestOffset = offset;
      latestChanged.add(s);
    }
    const span = seen.get(s);
    if (span === undefined) seen.set(s, { minTs: trade.ts, maxTs: trade.ts });
    else {
      if (trade.ts < span.minTs) span.minTs = trade.ts;
      if (trade.ts > span.maxTs) span.maxTs = trade.ts;
    }
    if (trade.suspicious !== true) {
      if (s.firstEventTsMs === undefined || trade.ts < s.firstEventTsMs) {
        s.firstEventTsMs = trade.ts;
        progressChanged.add(s);
      }
      if (s.maxEventTsMs === undefined || trade.ts > s.maxEventTsMs) {
        s.maxEventTsMs = trade.ts;
        progressChanged.add(s);
      }
    }
  }

  for (const s of progressChanged) {
    if (s.firstEventTsMs !== undefined && s.maxEventTsMs !== undefined)
      plan.progress.push({ symbol: s.symbol, firstEventTsMs: s.firstEventTsMs, maxEventTsMs: s.maxEventTsMs });
  }
  for (const s of touched) {
    const list = outputsOf(outputs, s);
    list.unshift(...s.pending.splice(0));
    list.push(...drainClosed(s.agg));
    const rows = windowRows(list, partition, (c) => endOf(c) <= s.agg.drainedThroughMs);
    const written = new Set(rows.map((r) => keyOf(r.candle)));
    for (const [k, key] of touchedKeys.get(s) ?? []) {
      if (written.has(k)) continue;
      const w = getWindow(s.agg, key);
      if (w !== undefined && w.kind === "full")
        rows.push({ candle: w.candle, isFinal: false, sourcePartition: partition, lastOffset: w.lastOffset });
    }
    finishSymbolRows(state, s, rows, plan);
    const span = seen.get(s);
    if (span !== undefined) {
      const first = s.firstSeenMs === undefined || span.minTs < s.firstSeenMs ? span.minTs : undefined;
      plan.symbolsSeen.push(
        first === undefined
          ? { symbol: s.symbol, lastSeenMs: span.maxTs }
          : { symbol: s.symbol, lastSeenMs: span.maxTs, firstSeenMs: first },
      );
      if (first !== undefined) s.firstSeenMs = first;
    }
    trimRecentIds(s, settings.dedupIdsPerSymbol);
    plan.symbols.push(s.symbol);
    // Touched symbols move to the end: the map's front is the least recently traded.
    state.symbols.delete(s.symbol);
    state.symbols.set(s.symbol, s);
  }
  for (const s of latestChanged) {
    if (s.latest === undefined) continue;
    plan.latest.push({ state: s.latest, sourcePartition: partition, lastOffset: s.latestOffset });
    const quoted = lastQuoted.get(s.symbol);
    plan.live.push(toPriceUpdate(s.latest, quoted?.tradeId === s.latest.lastTradeId && quoted.ts === s.latest.lastTs ? quoted : {}));
  }
  for (const [symbol, q] of lastQuoted) {
    const spread = toSpreadUpdate(symbol, q.ts, q, q.effectiveSpread);
    if (spread) plan.live.push(spread);
  }
  plan.live.push(...toAlertUpdates(plan.alerts));
  plan.live = latestPerKey(plan.live);
  evictSymbols(state);
  return plan;
}

/** A round's writes succeeded at `nowWallMs`: a slow write is not a pause of the feed, so idleness counts from here. */
export function markWritten(state: TradePartitionState, plan: TradeRoundPlan, nowWallMs: number): void {
  for (const symbol of plan.symbols) {
    const s = state.symbols.get(symbol);
    if (s !== undefined) s.lastTradeWallMs = nowWallMs;
  }
}

/**
 * Symbols with open windows that had no trade for `idleCloseMs` of wall time: their feed paused, so
 * no trade will move their watermark; the caller decides whether the partition itself is idle.
 * Includes stored symbols not restored yet (restore them before `closeIdleSymbols`).
 */
export function idleSymbols(state: TradePartitionState, nowWallMs: number, idleCloseMs: number): string[] {
  const out: string[] = [];
  for (const s of state.symbols.values()) {
    if (nowWallMs - s.lastTradeWallMs >= idleCloseMs && (openWindowCount(s.agg) > 0 || s.pending.length > 0)) out.push(s.symbol);
  }
  for (const [symbol, u] of state.unrestoredOpen) if (nowWallMs - u.lastTradeWallMs >= idleCloseMs) out.push(symbol);
  return out;
}

/** The stored clock of a symbol not held that `idleSymbols` named (restore it with this clock). */
export function unrestoredClock(state: TradePartitionState, symbol: string): SymbolClock | undefined {
  return state.unrestoredOpen.get(symbol)?.clock;
}

/**
 * Finalizes every open window of the given (restored, idle) symbols without moving their
 * watermark (core/window-aggregator closeOpenWindows) and returns the writes.
 */
export function closeIdleSymbols(state: TradePartitionState, symbols: readonly string[]): TradeRoundPlan {
  const plan = emptyPlan();
  for (const symbol of symbols) {
    const s = state.symbols.get(symbol);
    if (s === undefined) throw new RangeError(`${symbol} is not restored`);
    const list = [...s.pending.splice(0), ...closeOpenWindows(s.agg)];
    if (list.length === 0) continue;
    finishSymbolRows(
      state,
      s,
      windowRows(list, state.partition, () => true),
      plan,
    );
  }
  plan.live.push(...toAlertUpdates(plan.alerts));
  plan.live = latestPerKey(plan.live);
  // Symbols restored only to be closed go again past the cap (nothing of theirs is open now).
  evictSymbols(state);
  return plan;
}

/** Forgets the state of a symbol whose round could not be written (its stored state is restored again). */
export function dropSymbols(state: TradePartitionState, symbols: Iterable<string>): void {
  for (const symbol of symbols) state.symbols.delete(symbol);
}

/** Windows held in memory over the partition's symbols. */
export function partitionOpenWindows(state: TradePartitionState): number {
  let n = 0;
  for (const s of state.symbols.values()) n += openWindowCount(s.agg);
  return n;
}

/** The open windows of a held symbol as provisional outputs (tests and diagnostics). */
export function symbolOpenCandles(state: TradePartitionState, symbol: string): WindowOutput[] {
  const s = state.symbols.get(symbol);
  return s === undefined ? [] : openCandles(s.agg);
}

function outputsOf(outputs: Map<SymbolState, WindowOutput[]>, s: SymbolState): WindowOutput[] {
  let list = outputs.get(s);
  if (list === undefined) outputs.set(s, (list = []));
  return list;
}

/**
 * One row per window from its outputs in emission order: a "full" output replaces what precedes
 * it, a "late-delta" merges into it (no stored row was found for it: the delta is the window).
 */
function windowRows(outputs: readonly WindowOutput[], partition: number, isFinal: (c: Candle) => boolean): CandleWrite[] {
  const byKey = new Map<string, { candle: Candle; lastOffset: string | undefined }>();
  for (const o of outputs) {
    const k = keyOf(o.candle);
    const base = byKey.get(k);
    if (o.kind === "full" || base === undefined) byKey.set(k, { candle: o.candle, lastOffset: o.lastOffset });
    else byKey.set(k, { candle: mergeCandles(base.candle, o.candle), lastOffset: o.lastOffset ?? base.lastOffset });
  }
  return [...byKey.values()].map((b) => ({
    candle: b.candle,
    isFinal: isFinal(b.candle),
    sourcePartition: partition,
    lastOffset: b.lastOffset,
  }));
}

/** Indicators and volume scores of the final 1m rows (window order), closed marks, candle live updates. */
function finishSymbolRows(state: TradePartitionState, s: SymbolState, rows: CandleWrite[], plan: TradeRoundPlan): void {
  const finals = rows
    .filter((r) => r.isFinal && r.candle.interval === INDICATOR_INTERVAL)
    .sort((a, b) => a.candle.windowStart - b.candle.windowStart);
  for (const row of finals) {
    const snapshot = updateIndicators(s.indicators, row.candle);
    if (snapshot !== undefined) row.indicators = candleIndicatorsOf(snapshot);
    if (state.anomaly) plan.alerts.push(...state.anomaly.scoreBar(row.candle, true));
  }
  for (const row of rows) {
    plan.candles.push(row);
    if (row.isFinal) plan.stats.finalCandles++;
    const update = toCandleUpdate(row.candle, row.isFinal, row.indicators);
    if (update) plan.live.push(update);
  }
  const closed: Partial<Record<Interval, number>> = {};
  let changed = false;
  for (const interval of s.agg.intervals) {
    const mark = Math.max(s.agg.drainedThroughMs, s.agg.closedEarlyThroughMs.get(interval) ?? Number.NEGATIVE_INFINITY);
    if (!Number.isFinite(mark)) continue;
    closed[interval] = mark;
    if (s.closedWritten[interval] !== mark) changed = true;
  }
  if (changed && rows.some((r) => r.isFinal)) {
    plan.closed.push({ symbol: s.symbol, closedThroughMs: closed });
    s.closedWritten = closed;
  }
}

/** Keeps a symbol's newest `max` trade ids; what falls out raises the floor under which the raw table decides. */
function trimRecentIds(s: SymbolState, max: number): void {
  while (s.recentIds.size > max) {
    const oldest = s.recentIds.entries().next();
    if (oldest.done) break;
    s.recentIds.delete(oldest.value[0]);
    if (oldest.value[1] + 1 > s.dedupFloorMs) s.dedupFloorMs = oldest.value[1] + 1;
  }
}

/** Past the symbol cap the least recently traded symbols are dropped: their windows are stored, their next trade restores them. */
function evictSymbols(state: TradePartitionState): void {
  for (const s of state.symbols.values()) {
    if (state.symbols.size <= state.settings.maxSymbols) return;
    if (s.pending.length > 0) continue;
    state.symbols.delete(s.symbol);
    if (s.firstEventTsMs !== undefined && s.maxEventTsMs !== undefined && openWindowCount(s.agg) > 0) {
      state.unrestoredOpen.set(s.symbol, {
        clock: { firstEventTsMs: s.firstEventTsMs, maxEventTsMs: s.maxEventTsMs, closedThroughMs: { ...s.closedWritten } },
        lastTradeWallMs: s.lastTradeWallMs,
      });
    }
  }
}
