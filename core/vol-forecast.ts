// Next-day volatility forecasts from daily OHLC: HAR-RV (Corsi 2009) fitted by OLS (ml-matrix QR)
// on a Garman–Klass open-to-close variance proxy, plus the naive and EWMA (RiskMetrics) baselines
// and the QLIKE / RMSE losses used to compare them. Pure math: no I/O, no clock.
import { Matrix, solve } from "ml-matrix";

/** Daily bar fields the variance proxy needs. */
export interface OhlcBar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * Garman–Klass (1980) open-to-close variance of one bar, in squared log return:
 * 0.5·ln(H/L)² − (2·ln2 − 1)·ln(C/O)². Non-negative for any valid bar (|ln C/O| ≤ ln H/L).
 * It excludes the overnight gap, so it proxies trading-hours variance.
 */
export function garmanKlassVariance(bar: Pick<OhlcBar, "open" | "high" | "low" | "close">): number {
  const hl = Math.log(bar.high / bar.low);
  const co = Math.log(bar.close / bar.open);
  return Math.max(0, 0.5 * hl * hl - (2 * Math.LN2 - 1) * co * co);
}

/** Parkinson (1980) variance: ln(H/L)² / (4·ln2). */
export function parkinsonVariance(bar: Pick<OhlcBar, "high" | "low">): number {
  const hl = Math.log(bar.high / bar.low);
  return (hl * hl) / (4 * Math.LN2);
}

// ---------------------------------------------------------------------------------------------
// Losses. `actual` is the realized variance proxy, `forecast` the forecast variance (same units).

/** Patton's (2011) QLIKE in its normalised form: a/f − ln(a/f) − 1 (0 at a = f; robust to a noisy proxy). */
export function qlike(actualVariance: number, forecastVariance: number): number {
  const ratio = actualVariance / forecastVariance;
  return ratio - Math.log(ratio) - 1;
}

/** Mean QLIKE over pairs. */
export function meanQlike(actual: readonly number[], forecast: readonly number[]): number {
  return mean(actual.map((a, i) => qlike(a, forecast[i] as number)));
}

/** RMSE of variance (squared error on variance is Patton-robust to proxy noise; on volatility it is not). */
export function rmseVariance(actual: readonly number[], forecast: readonly number[]): number {
  return Math.sqrt(mean(actual.map((a, i) => (a - (forecast[i] as number)) ** 2)));
}

function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("mean of an empty array");
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

// ---------------------------------------------------------------------------------------------
// Baselines

/** Naive forecast: tomorrow's variance = today's realized variance. */
export function naiveForecast(history: readonly number[]): number {
  const last = history[history.length - 1];
  if (last === undefined) throw new RangeError("naive forecast needs one observation");
  return last;
}

export const RISKMETRICS_LAMBDA = 0.94;

/** EWMA state: the current one-step-ahead variance forecast. */
export interface EwmaState {
  variance: number;
  lambda: number;
}

/** Seeds the EWMA with a starting variance (e.g. the mean of the first month). */
export function createEwma(initialVariance: number, lambda = RISKMETRICS_LAMBDA): EwmaState {
  return { variance: initialVariance, lambda };
}

/** RiskMetrics update on the realized variance proxy: h(t+1) = λ·h(t) + (1 − λ)·RV(t). */
export function stepEwma(state: EwmaState, realizedVariance: number): EwmaState {
  return { variance: state.lambda * state.variance + (1 - state.lambda) * realizedVariance, lambda: state.lambda };
}

// ---------------------------------------------------------------------------------------------
// HAR-RV

export const HAR_DAILY = 1;
export const HAR_WEEKLY = 5;
export const HAR_MONTHLY = 22;

/** "log": OLS on ln RV (positive forecasts, near-Gaussian errors); "level": OLS on RV itself. */
export type HarTransform = "log" | "level";

export interface HarCoefficients {
  intercept: number;
  daily: number;
  weekly: number;
  monthly: number;
}

/** Versionable fitted parameters with training metadata. */
export interface HarParams {
  model: "har-rv";
  transform: HarTransform;
  proxy: "garman-klass";
  coefficients: HarCoefficients;
  /** Residual variance of the fit in the transformed space (log: used for the lognormal bias correction). */
  residualVariance: number;
  /** Smallest variance allowed into ln and out of a level forecast. */
  varianceFloor: number;
  trainedFrom: number;
  trainedTo: number;
  nObs: number;
  inSample: { r2: number; qlike: number; rmseVariance: number };
}

const DEFAULT_VARIANCE_FLOOR = 1e-8;

/** HAR regressors at the end of `history` (daily, weekly mean, monthly mean), or null with < 22 values. */
export function harFeatures(history: readonly number[], end = history.length): [number, number, number] | null {
  if (end < HAR_MONTHLY) return null;
  let w = 0;
  let m = 0;
  for (let k = 1; k <= HAR_MONTHLY; k++) {
    const v = history[end - k] as number;
    m += v;
    if (k <= HAR_WEEKLY) w += v;
  }
  return [history[end - 1] as number, w / HAR_WEEKLY, m / HAR_MONTHLY];
}

function transformValue(x: number, transform: HarTransform, floor: number): number {
  return transform === "log" ? Math.log(Math.max(x, floor)) : x;
}

function linear(c: HarCoefficients, f: readonly [number, number, number]): number {
  return c.intercept + c.daily * f[0] + c.weekly * f[1] + c.monthly * f[2];
}

/** Fits HAR by OLS on any design (rows of [1, d, w, m]); exported for tests on synthetic data. */
export function olsFit(
  design: readonly (readonly number[])[],
  target: readonly number[],
): { beta: number[]; residuals: number[]; r2: number } {
  if (design.length !== target.length || design.length <= (design[0]?.length ?? 0))
    throw new RangeError("OLS needs more rows than columns");
  const X = new Matrix(design.map((row) => [...row]));
  const y = Matrix.columnVector([...target]);
  const beta = solve(X, y).getColumn(0);
  const fitted = X.mmul(Matrix.columnVector(beta)).getColumn(0);
  const residuals = target.map((v, i) => v - (fitted[i] as number));
  const yMean = mean(target);
  const ssTot = target.reduce((s, v) => s + (v - yMean) ** 2, 0);
  const ssRes = residuals.reduce((s, e) => s + e * e, 0);
  return { beta, residuals, r2: ssTot > 0 ? 1 - ssRes / ssTot : 0 };
}

/**
 * Fits HAR-RV on a daily realized-variance series: RV(t+1) = b0 + bd·RV(t) + bw·RVw(t) + bm·RVm(t)
 * (each term transformed by ln for "log"). `ts[i]` is the date of `rv[i]`; rows use targets in
 * [22, rv.length).
 */
export function fitHar(
  rv: readonly number[],
  ts: readonly number[],
  transform: HarTransform = "log",
  varianceFloor = DEFAULT_VARIANCE_FLOOR,
): HarParams {
  if (rv.length !== ts.length) throw new RangeError("rv and ts differ in length");
  const design: number[][] = [];
  const target: number[] = [];
  const actual: number[] = [];
  for (let t = HAR_MONTHLY; t < rv.length; t++) {
    const f = harFeatures(rv, t) as [number, number, number];
    design.push([1, ...f.map((x) => transformValue(x, transform, varianceFloor))]);
    target.push(transformValue(rv[t] as number, transform, varianceFloor));
    actual.push(rv[t] as number);
  }
  if (design.length < 30) throw new RangeError(`HAR needs at least ${HAR_MONTHLY + 30} observations`);
  const { beta, residuals, r2 } = olsFit(design, target);
  const [b0, bd, bw, bm] = beta as [number, number, number, number];
  const residualVariance = residuals.reduce((s, e) => s + e * e, 0) / (residuals.length - 4);
  const params: HarParams = {
    model: "har-rv",
    transform,
    proxy: "garman-klass",
    coefficients: { intercept: b0, daily: bd, weekly: bw, monthly: bm },
    residualVariance,
    varianceFloor,
    trainedFrom: ts[0] as number,
    trainedTo: ts[ts.length - 1] as number,
    nObs: design.length,
    inSample: { r2, qlike: 0, rmseVariance: 0 },
  };
  const fitted = design.map((row) => forecastFromFeatures(params, [row[1], row[2], row[3]] as [number, number, number], true));
  const floored = actual.map((a) => Math.max(a, varianceFloor));
  params.inSample.qlike = meanQlike(floored, fitted);
  params.inSample.rmseVariance = rmseVariance(actual, fitted);
  return params;
}

function forecastFromFeatures(params: HarParams, f: readonly [number, number, number], transformed: boolean): number {
  const x = transformed
    ? f
    : (f.map((v) => transformValue(v, params.transform, params.varianceFloor)) as unknown as [number, number, number]);
  const y = linear(params.coefficients, x);
  // ln RV forecast is a conditional mean of the log: exp(μ + s²/2) is the lognormal mean of RV.
  const v = params.transform === "log" ? Math.exp(y + params.residualVariance / 2) : y;
  return Math.max(v, params.varianceFloor);
}

/** One-day-ahead variance forecast from the last ≥ 22 daily realized variances. */
export function forecastHar(params: HarParams, history: readonly number[]): number {
  const f = harFeatures(history);
  if (f === null) throw new RangeError(`HAR forecast needs ${HAR_MONTHLY} observations`);
  return forecastFromFeatures(params, f, false);
}
