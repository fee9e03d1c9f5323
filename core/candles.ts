// OHLCV + VWAP candle as an order-independent fold over trades: the same set of trades gives the
// same candle whatever order they arrive in, so replays, recomputes and late ticks all agree.
// (OHLC, first/last and count exactly; volume and notional are double sums, equal to rounding.)
import { z } from "zod";
import { INTERVAL_MS, intervalSchema, windowStart, type Interval } from "./intervals";
import { symbolSchema, tsMsSchema, type Trade } from "./schemas";

export const candleSchema = z.strictObject({
  symbol: symbolSchema,
  interval: intervalSchema,
  windowStart: tsMsSchema,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  notional: z.number(),
  vwap: z.number(),
  tradeCount: z.number().int().positive(),
  firstTs: tsMsSchema,
  firstTradeId: z.string(),
  lastTs: tsMsSchema,
  lastTradeId: z.string(),
});
/** One window's candle. `windowStart` is epoch ms UTC; `notional` is Σ price·size, `vwap` notional/volume. */
export type Candle = z.infer<typeof candleSchema>;

const DECIMAL = /^[0-9]+$/;

/**
 * Orders two non-negative decimal strings by value (any length, so 64-digit ids and Kafka offsets
 * stay exact); equal values with different spellings ("07", "7") fall back to string order.
 */
export function compareDecimalStrings(a: string, b: string): number {
  const aDigits = stripLeadingZeros(a);
  const bDigits = stripLeadingZeros(b);
  if (aDigits.length !== bDigits.length) return aDigits.length - bDigits.length;
  return compareCodeUnits(aDigits, bDigits) || compareCodeUnits(a, b);
}

/**
 * Total order of trades within a symbol: by `ts`, then by `tradeId`. Two decimal-integer ids
 * compare by value ("9" < "10"); other ids compare by UTF-16 code units, not locale. A decimal id
 * sorts before a non-decimal one: comparing a mixed pair by string order would make cycles
 * ("9" < "10" < "1a" < "9") and the fold would then depend on arrival order.
 */
export function compareTradeOrder(aTs: number, aId: string, bTs: number, bId: string): number {
  if (aTs !== bTs) return aTs < bTs ? -1 : 1;
  const aDecimal = DECIMAL.test(aId);
  const bDecimal = DECIMAL.test(bId);
  if (aDecimal && bDecimal) return Math.sign(compareDecimalStrings(aId, bId));
  if (aDecimal !== bDecimal) return aDecimal ? -1 : 1;
  return compareCodeUnits(aId, bId);
}

/** True when a trade must be left out of candles (flagged off-market by its source). */
export function isSuspiciousTrade(trade: Trade): boolean {
  return trade.suspicious === true;
}

/** The one-trade candle of `trade` in `interval`; ignores `suspicious` (see applyTrade). */
export function candleFromTrade(trade: Trade, interval: Interval): Candle {
  const notional = trade.price * trade.size;
  return {
    symbol: trade.symbol,
    interval,
    windowStart: windowStart(trade.ts, interval),
    open: trade.price,
    high: trade.price,
    low: trade.price,
    close: trade.price,
    volume: trade.size,
    notional,
    // notional / volume, not price: a one-trade candle must equal the merge of itself.
    vwap: notional / trade.size,
    tradeCount: 1,
    firstTs: trade.ts,
    firstTradeId: trade.tradeId,
    lastTs: trade.ts,
    lastTradeId: trade.tradeId,
  };
}

/**
 * Folds `trade` into `candle` (or starts a candle) and returns a new candle; inputs are not
 * mutated. A suspicious trade returns `candle` unchanged. Throws if the trade belongs to another
 * symbol or window.
 */
export function applyTrade(candle: Candle, trade: Trade, interval: Interval): Candle;
export function applyTrade(candle: Candle | undefined, trade: Trade, interval: Interval): Candle | undefined;
export function applyTrade(candle: Candle | undefined, trade: Trade, interval: Interval): Candle | undefined {
  if (isSuspiciousTrade(trade)) return candle;
  const single = candleFromTrade(trade, interval);
  // Folding is merging with a one-trade candle, so fold and merge cannot disagree.
  return candle === undefined ? single : mergeCandles(candle, single);
}

/**
 * Combines two partial candles of the same symbol, interval and window (e.g. a stored candle and a
 * late-data delta). Commutative and associative; throws if the keys differ.
 */
export function mergeCandles(a: Candle, b: Candle): Candle {
  if (a.symbol !== b.symbol || a.interval !== b.interval || a.windowStart !== b.windowStart) {
    throw new RangeError(`cannot merge candles of different windows: ${describeKey(a)} and ${describeKey(b)}`);
  }
  const first = compareEndpoint(a.firstTs, a.firstTradeId, a.open, b.firstTs, b.firstTradeId, b.open) <= 0 ? a : b;
  const last = compareEndpoint(a.lastTs, a.lastTradeId, a.close, b.lastTs, b.lastTradeId, b.close) >= 0 ? a : b;
  const volume = a.volume + b.volume;
  const notional = a.notional + b.notional;
  return {
    symbol: a.symbol,
    interval: a.interval,
    windowStart: a.windowStart,
    open: first.open,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    close: last.close,
    volume,
    notional,
    vwap: notional / volume,
    tradeCount: a.tradeCount + b.tradeCount,
    firstTs: first.firstTs,
    firstTradeId: first.firstTradeId,
    lastTs: last.lastTs,
    lastTradeId: last.lastTradeId,
  };
}

/**
 * Folds `trade` into `candle` in place: the same fields, bit for bit, as
 * `mergeCandles(candle, candleFromTrade(trade, candle.interval))`, without the two new objects per
 * trade and interval that the stream's hot path cannot afford. Only for a candle its caller owns.
 */
export function foldTradeInPlace(candle: Candle, trade: Trade): void {
  if (compareEndpoint(candle.firstTs, candle.firstTradeId, candle.open, trade.ts, trade.tradeId, trade.price) > 0) {
    candle.open = trade.price;
    candle.firstTs = trade.ts;
    candle.firstTradeId = trade.tradeId;
  }
  if (compareEndpoint(candle.lastTs, candle.lastTradeId, candle.close, trade.ts, trade.tradeId, trade.price) < 0) {
    candle.close = trade.price;
    candle.lastTs = trade.ts;
    candle.lastTradeId = trade.tradeId;
  }
  if (trade.price > candle.high) candle.high = trade.price;
  if (trade.price < candle.low) candle.low = trade.price;
  candle.volume += trade.size;
  candle.notional += trade.price * trade.size;
  candle.vwap = candle.notional / candle.volume;
  candle.tradeCount += 1;
}

/** Exclusive end of the candle's window, epoch ms. */
export function candleWindowEnd(candle: Candle): number {
  return candle.windowStart + INTERVAL_MS[candle.interval];
}

// A redelivered trade id with a different price would otherwise make open/close depend on which
// copy came first; the price breaks that tie so merge stays commutative.
function compareEndpoint(aTs: number, aId: string, aPrice: number, bTs: number, bId: string, bPrice: number): number {
  return compareTradeOrder(aTs, aId, bTs, bId) || Math.sign(aPrice - bPrice);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits[i] === "0") i++;
  return digits.slice(i);
}

function describeKey(candle: Candle): string {
  return `${candle.symbol}/${candle.interval}/${candle.windowStart}`;
}
