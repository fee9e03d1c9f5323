// Per-symbol "latest" state (last price, day open/high/low/volume, previous close) as a fold over
// trades. Order-independent within a UTC day: first/last are chosen by (ts, tradeId), so a replay
// in any order of the same trades gives the same state.
import { compareTradeOrder, isSuspiciousTrade } from "./candles";
import { dayKey } from "./intervals";
import type { Trade } from "./schemas";

export type LatestState = {
  symbol: string;
  /** UTC day ("YYYY-MM-DD") the day fields describe. */
  day: string;
  lastTs: number;
  lastTradeId: string;
  lastPrice: number;
  dayFirstTs: number;
  dayFirstTradeId: string;
  dayOpen: number;
  dayHigh: number;
  dayLow: number;
  dayVolume: number;
  /** Last price of the previous day this fold saw, if any. */
  prevClose: number | undefined;
};

/**
 * Folds `trade` into `state` and returns the new state (inputs are not mutated). Suspicious trades
 * and trades of a day before `state.day` leave it unchanged; a trade of a later day starts that day
 * with the previous last price as `prevClose`.
 */
export function applyTradeToLatest(state: LatestState | undefined, trade: Trade): LatestState | undefined {
  if (isSuspiciousTrade(trade)) return state;
  const day = dayKey(trade.ts);
  if (state === undefined || day > state.day) {
    return {
      symbol: trade.symbol,
      day,
      lastTs: trade.ts,
      lastTradeId: trade.tradeId,
      lastPrice: trade.price,
      dayFirstTs: trade.ts,
      dayFirstTradeId: trade.tradeId,
      dayOpen: trade.price,
      dayHigh: trade.price,
      dayLow: trade.price,
      dayVolume: trade.size,
      prevClose: state?.lastPrice,
    };
  }
  if (day < state.day) return state;
  const next: LatestState = {
    ...state,
    dayHigh: Math.max(state.dayHigh, trade.price),
    dayLow: Math.min(state.dayLow, trade.price),
    dayVolume: state.dayVolume + trade.size,
  };
  if (compareTradeOrder(trade.ts, trade.tradeId, state.dayFirstTs, state.dayFirstTradeId) < 0) {
    next.dayFirstTs = trade.ts;
    next.dayFirstTradeId = trade.tradeId;
    next.dayOpen = trade.price;
  }
  if (compareTradeOrder(trade.ts, trade.tradeId, state.lastTs, state.lastTradeId) > 0) {
    next.lastTs = trade.ts;
    next.lastTradeId = trade.tradeId;
    next.lastPrice = trade.price;
  }
  return next;
}

/** Change of the last price against the previous close (undefined without a previous close). */
export function dayChange(state: LatestState): number | undefined {
  return state.prevClose === undefined ? undefined : state.lastPrice - state.prevClose;
}
