// Daily rollup: a UTC day's 1d candle as the merge of that day's stored intraday candles (1h or
// 1m). mergeCandles is the same fold the stream uses, so the result equals folding the trades.
import { mergeCandles, type Candle } from "./candles";
import { INTERVAL_MS, windowStart } from "./intervals";

/** Epoch ms of UTC midnight starting `day` ("YYYY-MM-DD"); throws on anything else. */
export function dayStartMs(day: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw new RangeError(`not a UTC day: "${day}"`);
  return ms;
}

/** The previous UTC day of `tsMs` as "YYYY-MM-DD". */
export function previousDay(tsMs: number): string {
  return new Date(windowStart(tsMs, "1d") - INTERVAL_MS["1d"]).toISOString().slice(0, 10);
}

/**
 * Folds one intraday candle of `symbol` into the day's 1d candle (undefined = none yet). Throws if
 * the candle is of another symbol, is already daily, or does not lie inside the day.
 */
export function rollupCandle(daily: Candle | undefined, candle: Candle, symbol: string, dayStart: number): Candle {
  const dayEnd = dayStart + INTERVAL_MS["1d"];
  if (candle.symbol !== symbol || candle.interval === "1d") {
    throw new RangeError(`cannot roll ${candle.symbol}/${candle.interval} into the 1d candle of ${symbol}`);
  }
  if (candle.windowStart < dayStart || candle.windowStart + INTERVAL_MS[candle.interval] > dayEnd) {
    throw new RangeError(`candle ${candle.symbol}/${candle.interval}/${candle.windowStart} lies outside the day starting ${dayStart}`);
  }
  const asDaily: Candle = { ...candle, interval: "1d", windowStart: dayStart };
  return daily === undefined ? asDaily : mergeCandles(daily, asDaily);
}

/** The 1d candle of `symbol` on `day` from its intraday candles, merged in window order; undefined when none. */
export function rollupDay(symbol: string, day: string, candles: readonly Candle[]): Candle | undefined {
  const start = dayStartMs(day);
  return [...candles]
    .sort((a, b) => a.windowStart - b.windowStart)
    .reduce<Candle | undefined>((daily, c) => rollupCandle(daily, c, symbol, start), undefined);
}
