// Event-time windowed OHLCV for every symbol of one Kafka partition, across all configured
// intervals. The state is a mutable object owned by that partition's consumer: each call mutates it
// in place (no copies on the hot path). Memory is bounded by `maxOpenWindows`.
//
// Contract with the stream worker:
// - Windows are emitted by `drainClosed` once the watermark reaches their end, then forgotten.
// - An output's candle is the window's own object while the window is in memory: it changes with
//   the next trade folded into it, so use (write, copy) outputs before folding more.
// - An output of kind "full" holds every trade this aggregator saw for its window: upsert it.
// - An output of kind "late-delta" holds only trades that arrived after the window left memory
//   (drained, or closed early at the cap): the writer must `mergeCandles(stored, delta)` and write
//   the result (no stored row: write the delta as is). Overwriting with it would lose trades.
// - Offsets (`meta.offset`) must come from the one Kafka partition this aggregator owns; a trade
//   at or below the highest offset already applied is a redelivery and is skipped.
// - After a restart the aggregator knows nothing of storage. Before replayed trades touch a window
//   that may already be stored (written before the crash), seed it with `restoreWindow(stored,
//   storedLastOffset)`: it keeps the stored trades and skips replayed ones it already holds.
//   Otherwise its first "full" output would overwrite the stored row with part of the window.
import { candleFromTrade, compareDecimalStrings, foldTradeInPlace, isSuspiciousTrade, type Candle } from "./candles";
import { INTERVAL_MS, windowStart, type Interval } from "./intervals";
import { MinHeap } from "./min-heap";
import type { Trade } from "./schemas";

export type CandleKey = { symbol: string; interval: Interval; windowStart: number };

/** "full": the window's whole candle, upsert it. "late-delta": only late trades, merge it into the stored candle. */
export type WindowKind = "full" | "late-delta";

export type WindowOutput = {
  candle: Candle;
  kind: WindowKind;
  /** Lowest / highest Kafka offset folded into `candle` (undefined when trades carried none). */
  firstOffset: string | undefined;
  lastOffset: string | undefined;
};

export type AggregatorConfig = {
  intervals: readonly Interval[];
  allowedLatenessMs: number;
  /** Cap on windows held in memory, over all symbols and intervals; past it the oldest closes early. */
  maxOpenWindows?: number;
};

export type AggregatorCounters = {
  /** Trades folded into at least one window, late ones included. */
  tradesApplied: number;
  /** Applied trades whose finest window had already reached the watermark on arrival. */
  lateTrades: number;
  suspiciousSkipped: number;
  /** Redelivered trades (offset already applied) skipped entirely. */
  duplicatesSkipped: number;
  /** Windows emitted before the watermark reached them because `maxOpenWindows` was hit. */
  windowsClosedEarly: number;
  /** Windows opened as late deltas. */
  lateDeltaWindows: number;
};

type WindowEntry = {
  readonly key: string;
  readonly intervalMs: number;
  readonly windowEndMs: number;
  readonly kind: WindowKind;
  candle: Candle;
  firstOffset: string | undefined;
  lastOffset: string | undefined;
};

/** One partition's aggregator. Read `counters` freely; change the rest only through this module. */
export type AggregatorState = {
  readonly intervals: readonly Interval[];
  readonly allowedLatenessMs: number;
  readonly maxOpenWindows: number;
  readonly counters: AggregatorCounters;
  maxEventTsMs: number;
  /** Highest watermark ever passed to drainClosed: windows ending at or before it are gone. */
  drainedThroughMs: number;
  /** Per interval, the latest window end closed early at the cap. */
  readonly closedEarlyThroughMs: Map<Interval, number>;
  appliedThroughOffset: string | undefined;
  readonly windows: Map<string, WindowEntry>;
  readonly byWindowEnd: MinHeap<WindowEntry>;
};

export type AddTradeMeta = {
  /** Kafka offset of the record, as kafkajs gives it (decimal string). */
  offset?: string;
};

export type AddTradeResult = {
  late: boolean;
  /** Windows this trade changed, finest interval first. */
  touched: CandleKey[];
  /** Windows evicted by this call because the cap was hit: write them like drained ones. */
  closedEarly: WindowOutput[];
  skipped: "suspicious" | "duplicate" | undefined;
};

export const DEFAULT_MAX_OPEN_WINDOWS = 100_000;

/** Creates an empty aggregator for one partition. */
export function createAggregator(config: AggregatorConfig): AggregatorState {
  const intervals = [...new Set(config.intervals)].sort((a, b) => INTERVAL_MS[a] - INTERVAL_MS[b]);
  if (intervals.length === 0) throw new RangeError("an aggregator needs at least one interval");
  if (!Number.isFinite(config.allowedLatenessMs) || config.allowedLatenessMs < 0) {
    throw new RangeError(`allowedLatenessMs must be a finite number >= 0, got ${config.allowedLatenessMs}`);
  }
  const maxOpenWindows = config.maxOpenWindows ?? DEFAULT_MAX_OPEN_WINDOWS;
  if (!Number.isInteger(maxOpenWindows) || maxOpenWindows < 1) {
    throw new RangeError(`maxOpenWindows must be a positive integer, got ${maxOpenWindows}`);
  }
  return {
    intervals,
    allowedLatenessMs: config.allowedLatenessMs,
    maxOpenWindows,
    counters: {
      tradesApplied: 0,
      lateTrades: 0,
      suspiciousSkipped: 0,
      duplicatesSkipped: 0,
      windowsClosedEarly: 0,
      lateDeltaWindows: 0,
    },
    maxEventTsMs: Number.NEGATIVE_INFINITY,
    drainedThroughMs: Number.NEGATIVE_INFINITY,
    closedEarlyThroughMs: new Map(),
    appliedThroughOffset: undefined,
    windows: new Map(),
    byWindowEnd: new MinHeap(compareEntries),
  };
}

/**
 * The aggregator's watermark: max event time applied minus the allowed lateness, never below a
 * watermark already drained to. -Infinity before the first trade.
 */
export function aggregatorWatermark(state: AggregatorState): number {
  return Math.max(state.maxEventTsMs - state.allowedLatenessMs, state.drainedThroughMs);
}

/**
 * Folds a trade into its window of every interval (mutates `state`). A trade whose window already
 * reached the watermark is late: it is still applied, to the in-memory window if it is still
 * there, else to a new "late-delta" window that the next drainClosed emits.
 */
export function addTrade(state: AggregatorState, trade: Trade, meta: AddTradeMeta = {}): AddTradeResult {
  if (isSuspiciousTrade(trade)) {
    state.counters.suspiciousSkipped++;
    return { late: false, touched: [], closedEarly: [], skipped: "suspicious" };
  }
  const { offset } = meta;
  // Offsets of one partition arrive in order, so anything at or below the high-water mark has
  // already been applied: this is Kafka's at-least-once redelivery, not new data.
  if (isAtOrBelow(offset, state.appliedThroughOffset)) {
    state.counters.duplicatesSkipped++;
    return { late: false, touched: [], closedEarly: [], skipped: "duplicate" };
  }

  const watermark = aggregatorWatermark(state);
  const touched: CandleKey[] = [];
  let late = false;
  for (const interval of state.intervals) {
    const startMs = windowStart(trade.ts, interval);
    const intervalMs = INTERVAL_MS[interval];
    const endMs = startMs + intervalMs;
    const key = keyString(trade.symbol, interval, startMs);
    const entry = state.windows.get(key);
    if (entry === undefined) {
      // A window absent from memory whose end is behind the watermark (or behind an early close)
      // may already be stored, so only a delta is safe to emit for it.
      const closedThroughMs = Math.max(watermark, state.closedEarlyThroughMs.get(interval) ?? Number.NEGATIVE_INFINITY);
      const kind: WindowKind = endMs <= closedThroughMs ? "late-delta" : "full";
      insertEntry(state, {
        key,
        intervalMs,
        windowEndMs: endMs,
        kind,
        candle: candleFromTrade(trade, interval),
        firstOffset: offset,
        lastOffset: offset,
      });
      if (kind === "late-delta") state.counters.lateDeltaWindows++;
    } else {
      // Only a restored window can hold offsets above the aggregator's high-water mark.
      if (isAtOrBelow(offset, entry.lastOffset)) continue;
      // The entry owns its candle (restoreWindow copies), so it is folded in place.
      foldTradeInPlace(entry.candle, trade);
      if (offset !== undefined) {
        if (entry.firstOffset === undefined || compareDecimalStrings(offset, entry.firstOffset) < 0) entry.firstOffset = offset;
        entry.lastOffset = offset;
      }
    }
    if (endMs <= watermark) late = true;
    touched.push({ symbol: trade.symbol, interval, windowStart: startMs });
  }

  if (touched.length === 0) {
    state.counters.duplicatesSkipped++;
    return { late: false, touched, closedEarly: [], skipped: "duplicate" };
  }
  state.counters.tradesApplied++;
  if (late) state.counters.lateTrades++;
  // Suspicious and duplicate trades never get here: a bad tick must not drag the watermark.
  if (trade.ts > state.maxEventTsMs) state.maxEventTsMs = trade.ts;
  if (offset !== undefined) state.appliedThroughOffset = offset;
  return { late, touched, closedEarly: enforceCap(state), skipped: undefined };
}

/**
 * Removes and returns every window whose end is at or before `watermark` (default: the
 * aggregator's own), oldest end first, to be written as final. The watermark never goes
 * backwards: a lower value than one drained before drains to the earlier one.
 */
export function drainClosed(state: AggregatorState, watermark: number = aggregatorWatermark(state)): WindowOutput[] {
  if (watermark > state.drainedThroughMs) state.drainedThroughMs = watermark;
  const throughMs = state.drainedThroughMs;
  const out: WindowOutput[] = [];
  for (let top = state.byWindowEnd.peek(); top !== undefined && top.windowEndMs <= throughMs; top = state.byWindowEnd.peek()) {
    state.byWindowEnd.pop();
    state.windows.delete(top.key);
    out.push(toOutput(top));
  }
  return out;
}

/**
 * Removes and returns every window in memory, oldest end first, to be written as final, without
 * moving the watermark: each interval counts as closed early through its newest window's end. A
 * feed that pauses gets its windows finalized; when it resumes, a trade in a window after those
 * opens a normal window (not final from its first trade), one in a closed window corrects it.
 */
export function closeOpenWindows(state: AggregatorState): WindowOutput[] {
  const out: WindowOutput[] = [];
  for (let top = state.byWindowEnd.pop(); top !== undefined; top = state.byWindowEnd.pop()) {
    state.windows.delete(top.key);
    const interval = top.candle.interval;
    if (top.windowEndMs > (state.closedEarlyThroughMs.get(interval) ?? Number.NEGATIVE_INFINITY))
      state.closedEarlyThroughMs.set(interval, top.windowEndMs);
    out.push(toOutput(top));
  }
  return out;
}

/** Provisional outputs of every window still in memory, oldest end first; state is unchanged. */
export function openCandles(state: AggregatorState): WindowOutput[] {
  return [...state.windows.values()].sort(compareEntries).map(toOutput);
}

/** The in-memory window for `key`, if any (e.g. to publish a provisional update for `touched`). */
export function getWindow(state: AggregatorState, key: CandleKey): WindowOutput | undefined {
  const entry = state.windows.get(keyString(key.symbol, key.interval, key.windowStart));
  return entry === undefined ? undefined : toOutput(entry);
}

/** Number of windows held in memory. */
export function openWindowCount(state: AggregatorState): number {
  return state.windows.size;
}

/**
 * Seeds a window from its stored candle (after a restart), as a "full" window whose trades up to
 * `lastOffset` are already in; later trades fold into it. Throws if the window is already in
 * memory or its interval is not aggregated here. Returns windows closed early by the cap.
 */
export function restoreWindow(state: AggregatorState, candle: Candle, lastOffset?: string): WindowOutput[] {
  if (!state.intervals.includes(candle.interval)) {
    throw new RangeError(`interval ${candle.interval} is not aggregated here`);
  }
  const key = keyString(candle.symbol, candle.interval, candle.windowStart);
  if (state.windows.has(key)) throw new RangeError(`window ${key} is already in memory`);
  const intervalMs = INTERVAL_MS[candle.interval];
  insertEntry(state, {
    key,
    intervalMs,
    windowEndMs: candle.windowStart + intervalMs,
    kind: "full",
    candle: { ...candle },
    firstOffset: undefined,
    lastOffset,
  });
  return enforceCap(state);
}

function insertEntry(state: AggregatorState, entry: WindowEntry): void {
  state.windows.set(entry.key, entry);
  state.byWindowEnd.push(entry);
}

// Past the cap the oldest window goes out now as it is; any later trade for it becomes a delta,
// so nothing is lost, only written in two parts.
function enforceCap(state: AggregatorState): WindowOutput[] {
  const out: WindowOutput[] = [];
  while (state.windows.size > state.maxOpenWindows) {
    const oldest = state.byWindowEnd.pop();
    if (oldest === undefined) break;
    state.windows.delete(oldest.key);
    const interval = oldest.candle.interval;
    const prevMs = state.closedEarlyThroughMs.get(interval) ?? Number.NEGATIVE_INFINITY;
    if (oldest.windowEndMs > prevMs) state.closedEarlyThroughMs.set(interval, oldest.windowEndMs);
    state.counters.windowsClosedEarly++;
    out.push(toOutput(oldest));
  }
  return out;
}

function toOutput(entry: WindowEntry): WindowOutput {
  return { candle: entry.candle, kind: entry.kind, firstOffset: entry.firstOffset, lastOffset: entry.lastOffset };
}

// A total order on window keys (end, then interval, then symbol), so emission order is deterministic.
function compareEntries(a: WindowEntry, b: WindowEntry): number {
  if (a.windowEndMs !== b.windowEndMs) return a.windowEndMs - b.windowEndMs;
  if (a.intervalMs !== b.intervalMs) return a.intervalMs - b.intervalMs;
  const aSymbol = a.candle.symbol;
  const bSymbol = b.candle.symbol;
  return aSymbol < bSymbol ? -1 : aSymbol > bSymbol ? 1 : 0;
}

function isAtOrBelow(offset: string | undefined, mark: string | undefined): boolean {
  return offset !== undefined && mark !== undefined && compareDecimalStrings(offset, mark) <= 0;
}

function keyString(symbol: string, interval: Interval, startMs: number): string {
  // Symbols never contain "|" (see symbolSchema), so the key is unambiguous.
  return `${symbol}|${interval}|${startMs}`;
}
