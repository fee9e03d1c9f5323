// Training inputs and the live (intraday) update of the HAR-RV daily variance forecast: daily
// Garman–Klass series from stored 1d candles, the naive in-sample benchmark, a fold of today's
// realized variance over 1m candles, and the blend of the two. Pure math: no I/O, no clock.
import { z } from "zod";
import { forecastHar, garmanKlassVariance, HAR_MONTHLY, qlike, type HarParams, type OhlcBar } from "./vol-forecast";

/** Floor of a zero-range day (H = L) so ln and QLIKE stay finite: (0.1 bp)², as in eval:ml. */
export const DAILY_VARIANCE_FLOOR = 1e-10;

/** Minutes of the session the daily variance proxy covers (US regular hours, as in the daily Yahoo set). */
export const SESSION_MINUTES = 390;

/** Fewest daily observations a fit accepts: 22 for the first HAR row plus the 30 rows fitHar needs. */
export const MIN_TRAINING_DAYS = HAR_MONTHLY + 30;

/** Daily Garman–Klass variances (floored) and their dates, in the order of `bars` (oldest first). */
export function dailyVarianceSeries(bars: readonly OhlcBar[], floor = DAILY_VARIANCE_FLOOR): { rv: number[]; ts: number[] } {
  return { rv: bars.map((b) => Math.max(garmanKlassVariance(b), floor)), ts: bars.map((b) => b.ts) };
}

/**
 * Mean QLIKE of the naive forecast (tomorrow = today) over the same targets fitHar is fitted on
 * (t ≥ 22), so it is directly comparable with HarParams.inSample.qlike.
 */
export function naiveInSampleQlike(rv: readonly number[]): number {
  if (rv.length <= HAR_MONTHLY) throw new RangeError(`naive in-sample QLIKE needs more than ${HAR_MONTHLY} observations`);
  let sum = 0;
  for (let t = HAR_MONTHLY; t < rv.length; t++) sum += qlike(rv[t] as number, rv[t - 1] as number);
  return sum / (rv.length - HAR_MONTHLY);
}

// ---------------------------------------------------------------------------------------------
// Today's realized variance from 1m candles

/** The part of a 1m candle the fold needs. */
export interface IntradayBar {
  windowStart: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Today's realized variance so far: a fold over 1m candles in window order. */
export interface IntradayRv {
  /** Window start of the first candle folded (the session start as observed). */
  firstStartMs: number;
  /** Window start of the last candle folded. */
  lastStartMs: number;
  lastClose: number;
  /** Σ GK(bar) + Σ ln(open / previous close)², in squared log return. */
  variance: number;
  bars: number;
}

/**
 * Folds one 1m candle: adds its Garman–Klass variance plus the squared gap from the previous
 * close to its open, so the sum covers the open-to-close path like the daily GK proxy (a realized
 * range estimator; a minute without trades contributes through the next candle's gap). A candle
 * not after the last folded one is ignored (the caller folds final candles once, in order).
 */
export function stepIntradayRv(state: IntradayRv | undefined, bar: IntradayBar): IntradayRv {
  if (state === undefined) {
    return {
      firstStartMs: bar.windowStart,
      lastStartMs: bar.windowStart,
      lastClose: bar.close,
      variance: garmanKlassVariance(bar),
      bars: 1,
    };
  }
  if (bar.windowStart <= state.lastStartMs) return state;
  const gap = Math.log(bar.open / state.lastClose);
  return {
    firstStartMs: state.firstStartMs,
    lastStartMs: bar.windowStart,
    lastClose: bar.close,
    variance: state.variance + garmanKlassVariance(bar) + gap * gap,
    bars: state.bars + 1,
  };
}

/** Fraction of the session elapsed between `sessionStartMs` and `throughMs`, in [0, 1]. */
export function sessionFraction(sessionStartMs: number, throughMs: number, sessionMinutes = SESSION_MINUTES): number {
  return Math.min(1, Math.max(0, (throughMs - sessionStartMs) / (sessionMinutes * 60_000)));
}

/**
 * Today's open-to-close variance given the HAR forecast h, the realized variance so far RV and
 * the elapsed session fraction f:  v = RV + (1 − f)·[(1 − f)·h + f·(RV / f)] = (2 − f)·RV + (1 − f)²·h.
 * The rest of the day is expected at a per-session rate that credits today's observed rate RV/f
 * with weight f and the model with 1 − f (volatility clusters within the day, but a few minutes
 * say little). v = h at f = 0, v = RV at f = 1, and v = h whenever RV = f·h (a day on pace).
 */
export function blendDayVariance(harVariance: number, realizedSoFar: number, elapsedFraction: number): number {
  if (!(harVariance > 0) || !(realizedSoFar >= 0) || !(elapsedFraction >= 0 && elapsedFraction <= 1)) {
    throw new RangeError("blend needs h > 0, RV ≥ 0 and f in [0, 1]");
  }
  const f = elapsedFraction;
  return (2 - f) * realizedSoFar + (1 - f) * (1 - f) * harVariance;
}

/** A symbol's forecast of today's variance with its parts. */
export interface LiveVolForecast {
  /** HAR forecast of today from the daily history alone. */
  harVariance: number;
  realizedVariance: number;
  elapsedFraction: number;
  /** Blended forecast of today's open-to-close variance (squared log return). */
  variance: number;
  /** √variance: today's open-to-close volatility as a log return. */
  sigma: number;
}

/**
 * The forecast of today's variance: HAR on the last ≥ 22 daily variances before today, blended
 * with today's realized variance through `throughMs` (no intraday data: the HAR forecast).
 */
export function liveVolForecast(
  params: HarParams,
  dailyHistory: readonly number[],
  intraday: IntradayRv | undefined,
  throughMs: number,
  sessionMinutes = SESSION_MINUTES,
): LiveVolForecast {
  const harVariance = forecastHar(params, dailyHistory);
  const realizedVariance = intraday?.variance ?? 0;
  const elapsedFraction = intraday ? sessionFraction(intraday.firstStartMs, throughMs, sessionMinutes) : 0;
  const variance = blendDayVariance(harVariance, realizedVariance, elapsedFraction);
  return { harVariance, realizedVariance, elapsedFraction, variance, sigma: Math.sqrt(variance) };
}

/** True when `params` is a usable HAR fit (finite coefficients and residual variance). */
export function isUsableHar(params: HarParams): boolean {
  const c = params.coefficients;
  return [c.intercept, c.daily, c.weekly, c.monthly, params.residualVariance, params.inSample.qlike].every(Number.isFinite);
}

const finite = z.number().finite();

/** HarParams as stored in vol_models.params (JSON), validated when a reader loads them. */
export const harParamsSchema = z.object({
  model: z.literal("har-rv"),
  transform: z.enum(["log", "level"]),
  proxy: z.literal("garman-klass"),
  coefficients: z.object({ intercept: finite, daily: finite, weekly: finite, monthly: finite }),
  residualVariance: finite.nonnegative(),
  varianceFloor: finite.positive(),
  trainedFrom: finite,
  trainedTo: finite,
  nObs: z.number().int().positive(),
  inSample: z.object({ r2: finite, qlike: finite, rmseVariance: finite }),
}) satisfies z.ZodType<HarParams>;
