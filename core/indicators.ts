// Rolling indicators over a series of closes (SMA, EMA, realized volatility) and the per-symbol
// bundle the stream worker updates on each final candle. Every window is a fixed-size ring
// buffer, so per-symbol memory is constant however long the stream runs.
import type { Candle } from "./candles";
import type { Interval } from "./intervals";
import { RingBuffer } from "./ring-buffer";

/** A rolling indicator fed one value at a time; `value` is undefined until it has enough data. */
export type RollingIndicator = {
  readonly period: number;
  /** Values fed so far. */
  readonly count: number;
  readonly value: number | undefined;
  update(x: number): number | undefined;
};

/** Simple moving average of the last `period` values. */
export function createSma(period: number): RollingIndicator {
  return new Sma(period);
}

// The indicators are classes, not object literals with getters: a literal with accessors costs
// ~2 µs to create in V8, and the browser makes one per SMA point it redraws.
class Sma implements RollingIndicator {
  readonly #window: RingBuffer<number>;
  #count = 0;
  #value: number | undefined;

  constructor(readonly period: number) {
    assertPeriod(period, 1);
    this.#window = new RingBuffer<number>(period);
  }

  get count(): number {
    return this.#count;
  }

  get value(): number | undefined {
    return this.#value;
  }

  update(x: number): number | undefined {
    assertFinite(x);
    this.#window.push(x);
    this.#count++;
    // Re-summing the window (cheap at these periods) avoids the drift of a running add/subtract sum.
    this.#value = this.#window.isFull ? sumOf(this.#window) / this.period : undefined;
    return this.#value;
  }
}

/**
 * Exponential moving average with alpha = 2 / (period + 1), seeded, by the usual convention, with
 * the SMA of the first `period` values: undefined before that, then
 * ema = alpha * x + (1 - alpha) * previous ema. `resumeFrom` continues an EMA whose value was
 * stored (it then counts as `period` values fed): the next values give exactly what the
 * uninterrupted EMA would have given.
 */
export function createEma(period: number, resumeFrom?: number): RollingIndicator {
  return new Ema(period, resumeFrom);
}

class Ema implements RollingIndicator {
  readonly #alpha: number;
  #count: number;
  #seedSum = 0;
  #value: number | undefined;

  constructor(
    readonly period: number,
    resumeFrom: number | undefined,
  ) {
    assertPeriod(period, 1);
    if (resumeFrom !== undefined) assertFinite(resumeFrom);
    this.#alpha = 2 / (period + 1);
    this.#count = resumeFrom === undefined ? 0 : period;
    this.#value = resumeFrom;
  }

  get count(): number {
    return this.#count;
  }

  get value(): number | undefined {
    return this.#value;
  }

  update(x: number): number | undefined {
    assertFinite(x);
    this.#count++;
    if (this.#value === undefined) {
      this.#seedSum += x;
      if (this.#count === this.period) this.#value = this.#seedSum / this.period;
    } else {
      this.#value = this.#alpha * x + (1 - this.#alpha) * this.#value;
    }
    return this.#value;
  }
}

export type RealizedVolatility = {
  /** Sample standard deviation (n - 1) of the last `period` log returns: per-period volatility. */
  stdev: number;
  /** Sum of squared log returns over the same returns: realized variance over the whole window. */
  realizedVariance: number;
};

/** A realized-volatility tracker over the last `period` log returns of a close series. */
export type RealizedVolIndicator = {
  readonly period: number;
  readonly value: RealizedVolatility | undefined;
  update(close: number): RealizedVolatility | undefined;
};

/** Realized volatility over the last `period` log returns (needs `period` + 1 closes). */
export function createRealizedVol(period: number): RealizedVolIndicator {
  return new RealizedVol(period);
}

class RealizedVol implements RealizedVolIndicator {
  readonly #returns: RingBuffer<number>;
  #previousClose: number | undefined;
  #value: RealizedVolatility | undefined;

  constructor(readonly period: number) {
    // A sample stdev needs at least two returns.
    assertPeriod(period, 2);
    this.#returns = new RingBuffer<number>(period);
  }

  get value(): RealizedVolatility | undefined {
    return this.#value;
  }

  update(close: number): RealizedVolatility | undefined {
    if (!Number.isFinite(close) || close <= 0) throw new RangeError(`a close must be a positive finite number, got ${close}`);
    if (this.#previousClose !== undefined) this.#returns.push(Math.log(close / this.#previousClose));
    this.#previousClose = close;
    this.#value = this.#returns.isFull ? realizedVolatilityOf(this.#returns) : undefined;
    return this.#value;
  }
}

/**
 * SMA of the last `period` of `values`, by feeding them to createSma: the same double the stream's
 * indicator holds after those values (the browser's overlay uses it). Undefined with fewer values.
 */
export function smaOfLast(values: readonly number[], period: number): number | undefined {
  const sma = createSma(period);
  for (let i = Math.max(0, values.length - period); i < values.length; i++) sma.update(values[i] as number);
  return sma.value;
}

/**
 * Realized volatility of the last `period` log returns of `closes` (its last `period` + 1 values),
 * by feeding them to createRealizedVol: the same doubles the stream stores. Undefined with fewer.
 */
export function realizedVolOfLast(closes: readonly number[], period: number): RealizedVolatility | undefined {
  const vol = createRealizedVol(period);
  for (let i = Math.max(0, closes.length - period - 1); i < closes.length; i++) vol.update(closes[i] as number);
  return vol.value;
}

/** Scales a per-period volatility to a yearly one: stdev * sqrt(periodsPerYear) (e.g. 252 * 390 for US-equity minutes). */
export function annualizeVolatility(perPeriodStdev: number, periodsPerYear: number): number {
  assertPeriodsPerYear(periodsPerYear);
  return perPeriodStdev * Math.sqrt(periodsPerYear);
}

/** Scales a realized variance measured over `periods` periods to a yearly variance. */
export function annualizeVariance(realizedVariance: number, periods: number, periodsPerYear: number): number {
  assertPeriod(periods, 1);
  assertPeriodsPerYear(periodsPerYear);
  return (realizedVariance / periods) * periodsPerYear;
}

/** Indicator values after a candle; null until an indicator has enough closes (JSON-friendly). */
export type IndicatorSnapshot = {
  symbol: string;
  interval: Interval;
  windowStart: number;
  close: number;
  sma20: number | null;
  sma50: number | null;
  ema20: number | null;
  ema50: number | null;
  /** Per-period (not annualized) sample stdev of the last 20 log returns. */
  realizedVol20: number | null;
  /** Sum of squared log returns over the last 20 returns. */
  realizedVariance20: number | null;
};

/** One symbol's indicators over one candle interval. Mutable; change it only through this module. */
export type IndicatorState = {
  readonly symbol: string;
  readonly interval: Interval;
  readonly sma20: RollingIndicator;
  readonly sma50: RollingIndicator;
  readonly ema20: RollingIndicator;
  readonly ema50: RollingIndicator;
  readonly vol20: RealizedVolIndicator;
  last: IndicatorSnapshot | undefined;
};

/** Creates empty indicator state for `symbol` over final candles of `interval` (1m in the stream). */
export function createIndicatorState(symbol: string, interval: Interval = "1m"): IndicatorState {
  return {
    symbol,
    interval,
    sma20: createSma(20),
    sma50: createSma(50),
    ema20: createEma(20),
    ema50: createEma(50),
    vol20: createRealizedVol(20),
    last: undefined,
  };
}

/**
 * Feeds a FINAL candle's close (mutates `state`) and returns the new snapshot. Candles must come
 * in window order; one at or before the last applied window is ignored (undefined is returned),
 * since a late correction cannot be un-applied from an EMA. Windows without trades have no candle
 * and are skipped, not filled, so a period is "one traded candle".
 */
export function updateIndicators(state: IndicatorState, candle: Candle): IndicatorSnapshot | undefined {
  if (candle.symbol !== state.symbol || candle.interval !== state.interval) {
    throw new RangeError(`indicator state for ${state.symbol}/${state.interval} got a ${candle.symbol}/${candle.interval} candle`);
  }
  if (state.last !== undefined && candle.windowStart <= state.last.windowStart) return undefined;
  const close = candle.close;
  const vol = state.vol20.update(close);
  state.last = {
    symbol: state.symbol,
    interval: state.interval,
    windowStart: candle.windowStart,
    close,
    sma20: state.sma20.update(close) ?? null,
    sma50: state.sma50.update(close) ?? null,
    ema20: state.ema20.update(close) ?? null,
    ema50: state.ema50.update(close) ?? null,
    realizedVol20: vol?.stdev ?? null,
    realizedVariance20: vol?.realizedVariance ?? null,
  };
  return state.last;
}

/** The indicator columns stored with a final candle; a value is absent until it has enough closes. */
export type CandleIndicators = {
  sma20?: number;
  sma50?: number;
  ema20?: number;
  ema50?: number;
  /** realizedVol20 of the snapshot: per-period sample stdev of the last 20 log returns. */
  rv20?: number;
};

/** The stored/published form of a snapshot (nulls left out). */
export function candleIndicatorsOf(snapshot: IndicatorSnapshot): CandleIndicators {
  const out: CandleIndicators = {};
  if (snapshot.sma20 !== null) out.sma20 = snapshot.sma20;
  if (snapshot.sma50 !== null) out.sma50 = snapshot.sma50;
  if (snapshot.ema20 !== null) out.ema20 = snapshot.ema20;
  if (snapshot.ema50 !== null) out.ema50 = snapshot.ema50;
  if (snapshot.realizedVol20 !== null) out.rv20 = snapshot.realizedVol20;
  return out;
}

/** A final candle already applied, as stored: its close and the EMA values stored with it. */
export type IndicatorHistoryItem = { windowStart: number; close: number; ema20?: number; ema50?: number };

/** Closes an indicator state must have seen to be rebuilt exactly (the longest window). */
export const INDICATOR_HISTORY = 50;

/**
 * Rebuilds the state an uninterrupted run would hold after the final candles in `history` (oldest
 * first; the last INDICATOR_HISTORY are enough). SMAs and volatility are functions of the last
 * closes only; each EMA resumes from the value stored with the newest candle, or, when that value
 * is absent (fewer than `period` candles so far), is refed from the closes, which are then all of
 * its history. Same doubles in, same doubles out: the next updates equal the uninterrupted ones.
 * (Candles stored without EMAs but with a longer history, e.g. before indicators were stored,
 * give EMAs seeded from the closes at hand: close, not equal.)
 */
export function restoreIndicatorState(symbol: string, interval: Interval, history: readonly IndicatorHistoryItem[]): IndicatorState {
  for (let i = 1; i < history.length; i++) {
    if ((history[i]?.windowStart ?? 0) <= (history[i - 1]?.windowStart ?? 0))
      throw new RangeError("indicator history must be in increasing window order");
  }
  const newest = history[history.length - 1];
  const state: IndicatorState = {
    symbol,
    interval,
    sma20: createSma(20),
    sma50: createSma(50),
    ema20: createEma(20, newest?.ema20),
    ema50: createEma(50, newest?.ema50),
    vol20: createRealizedVol(20),
    last: undefined,
  };
  let vol: RealizedVolatility | undefined;
  for (const item of history) {
    state.sma20.update(item.close);
    state.sma50.update(item.close);
    if (newest?.ema20 === undefined) state.ema20.update(item.close);
    if (newest?.ema50 === undefined) state.ema50.update(item.close);
    vol = state.vol20.update(item.close);
  }
  if (newest !== undefined) {
    state.last = {
      symbol,
      interval,
      windowStart: newest.windowStart,
      close: newest.close,
      sma20: state.sma20.value ?? null,
      sma50: state.sma50.value ?? null,
      ema20: state.ema20.value ?? null,
      ema50: state.ema50.value ?? null,
      realizedVol20: vol?.stdev ?? null,
      realizedVariance20: vol?.realizedVariance ?? null,
    };
  }
  return state;
}

function realizedVolatilityOf(returns: RingBuffer<number>): RealizedVolatility {
  const n = returns.size;
  const mean = sumOf(returns) / n;
  let squaredDeviations = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const r = returns.at(i) as number;
    squaredDeviations += (r - mean) ** 2;
    squares += r * r;
  }
  return { stdev: Math.sqrt(squaredDeviations / (n - 1)), realizedVariance: squares };
}

function sumOf(buffer: RingBuffer<number>): number {
  let sum = 0;
  for (let i = 0; i < buffer.size; i++) sum += buffer.at(i) as number;
  return sum;
}

function assertPeriod(period: number, min: number): void {
  if (!Number.isInteger(period) || period < min) throw new RangeError(`period must be an integer >= ${min}, got ${period}`);
}

function assertPeriodsPerYear(periodsPerYear: number): void {
  if (!Number.isFinite(periodsPerYear) || periodsPerYear <= 0) {
    throw new RangeError(`periodsPerYear must be a positive finite number, got ${periodsPerYear}`);
  }
}

function assertFinite(x: number): void {
  if (!Number.isFinite(x)) throw new RangeError(`indicator input must be finite, got ${x}`);
}
