// Recompute of one symbol's UTC day from its archived trades, with the stream's own folds: the
// window aggregator (OHLCV, VWAP, counts per 1s/1m/5m/1h window) and the 1m indicators. Trades
// come in archive order, (ts, trade id) ascending, so every window is final as soon as a later
// trade passes its end, and memory holds only the open windows (one per interval).
import type { Candle } from "./candles";
import {
  candleIndicatorsOf,
  createIndicatorState,
  restoreIndicatorState,
  updateIndicators,
  type CandleIndicators,
  type IndicatorHistoryItem,
  type IndicatorState,
} from "./indicators";
import { INTERVAL_MS, STREAM_INTERVALS, type Interval } from "./intervals";
import type { Trade } from "./schemas";
import { addTrade, createAggregator, drainClosed, type AggregatorState } from "./window-aggregator";

/** The interval whose final candles feed the indicators (as in the stream worker). */
export const RECOMPUTE_INDICATOR_INTERVAL = "1m" satisfies Interval;

export type RecomputedCandle = { candle: Candle; indicators?: CandleIndicators };

export type DayRecompute = {
  readonly symbol: string;
  readonly dayStartMs: number;
  readonly aggregator: AggregatorState;
  readonly indicators: IndicatorState;
  lastTs: number;
  trades: number;
  candles: number;
};

export type DayRecomputeOptions = {
  symbol: string;
  dayStartMs: number;
  intervals?: readonly Interval[];
  /**
   * The symbol's newest final 1m candles before the day, oldest first (at most INDICATOR_HISTORY
   * are used), as the stream restores them after a restart: the day's indicators then continue
   * exactly where the stream's did.
   */
  indicatorHistory?: readonly IndicatorHistoryItem[];
};

/** Starts the recompute of one symbol-day. */
export function createDayRecompute(options: DayRecomputeOptions): DayRecompute {
  const intervals = options.intervals ?? STREAM_INTERVALS;
  for (const interval of intervals) {
    if (INTERVAL_MS[interval] > INTERVAL_MS["1h"]) throw new RangeError(`recompute folds intraday intervals only, not ${interval}`);
  }
  const history = options.indicatorHistory ?? [];
  return {
    symbol: options.symbol,
    dayStartMs: options.dayStartMs,
    // Lateness 0: archive order is event-time order, so a window is done once a trade passes its end.
    // At most two windows per interval are ever open (the current and the one just passed).
    aggregator: createAggregator({ intervals, allowedLatenessMs: 0 }),
    indicators:
      history.length > 0
        ? restoreIndicatorState(options.symbol, RECOMPUTE_INDICATOR_INTERVAL, history)
        : createIndicatorState(options.symbol, RECOMPUTE_INDICATOR_INTERVAL),
    lastTs: Number.NEGATIVE_INFINITY,
    trades: 0,
    candles: 0,
  };
}

/**
 * Folds one archived trade (mutates `state`) and returns the candles it finalized, oldest end
 * first, 1m ones with their indicators. Throws on a trade of another symbol or day, or one out of
 * event-time order (the archive is sorted; anything else is not an archive of this day).
 */
export function addArchivedTrade(state: DayRecompute, trade: Trade): RecomputedCandle[] {
  if (trade.symbol !== state.symbol) throw new RangeError(`recompute of ${state.symbol} got a ${trade.symbol} trade`);
  if (trade.ts < state.dayStartMs || trade.ts >= state.dayStartMs + INTERVAL_MS["1d"]) {
    throw new RangeError(`trade ${trade.tradeId} at ${new Date(trade.ts).toISOString()} is not on the recomputed day`);
  }
  if (trade.ts < state.lastTs)
    throw new RangeError(`trade ${trade.tradeId} is out of event-time order (${trade.ts} after ${state.lastTs})`);
  state.lastTs = trade.ts;
  state.trades += 1;
  const { closedEarly } = addTrade(state.aggregator, trade);
  return finalize(
    state,
    [...closedEarly, ...drainClosed(state.aggregator)].map((o) => o.candle),
  );
}

/** Finalizes the day's still open windows (call once, after the last trade). */
export function finishDayRecompute(state: DayRecompute): RecomputedCandle[] {
  return finalize(
    state,
    drainClosed(state.aggregator, Number.POSITIVE_INFINITY).map((o) => o.candle),
  );
}

function finalize(state: DayRecompute, candles: readonly Candle[]): RecomputedCandle[] {
  state.candles += candles.length;
  return candles.map((candle) => {
    if (candle.interval !== RECOMPUTE_INDICATOR_INTERVAL) return { candle };
    const snapshot = updateIndicators(state.indicators, candle);
    return snapshot === undefined ? { candle } : { candle, indicators: candleIndicatorsOf(snapshot) };
  });
}

/** The UTC days from `from` to `to`, both "YYYY-MM-DD" and inclusive, in order. */
export function daysBetween(from: string, to: string): string[] {
  const startMs = Date.parse(`${from}T00:00:00Z`);
  const endMs = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) throw new RangeError(`not UTC days: "${from}", "${to}"`);
  const days: string[] = [];
  for (let ms = startMs; ms <= endMs; ms += INTERVAL_MS["1d"]) days.push(new Date(ms).toISOString().slice(0, 10));
  return days;
}
