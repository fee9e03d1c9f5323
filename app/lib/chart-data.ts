// Chart.js dataset arrays of a candle series (candles, volume bars, VWAP, SMA) and the in-place
// edits that keep them equal to the series after each live update. Pure: no Chart.js import. SMA
// and volatility come from core/indicators, so they are the doubles the stream stores.
import { createSma, realizedVolOfLast, smaOfLast } from "../../core/indicators";
import type { ApplyResult, CandlePoint, CandleSeries } from "./candle-series";

export interface OhlcDatum {
  x: number;
  o: number;
  h: number;
  l: number;
  c: number;
}
export interface VolumeDatum {
  x: number;
  y: number;
  up: boolean;
}
export interface LineDatum {
  x: number;
  y: number | null;
}

export interface ChartArrays {
  candles: OhlcDatum[];
  volume: VolumeDatum[];
  vwap: LineDatum[];
  sma: LineDatum[];
}

/** The stream's sma20 and realizedVol20 periods (core/indicators createIndicatorState). */
export const DEFAULT_SMA_PERIOD = 20;
export const DEFAULT_VOL_PERIOD = 20;

/** Simple moving average of the `period` closes ending at `index`; null while fewer exist. */
export function smaAt(series: Pick<CandleSeries, "at">, index: number, period: number): number | null {
  if (index + 1 < period) return null;
  const closes: number[] = [];
  for (let i = index - period + 1; i <= index; i++) closes.push((series.at(i) as CandlePoint).c);
  return smaOfLast(closes, period) ?? null;
}

/**
 * Session VWAP at `index`: Σ(vwap·volume) / Σ volume over the candles of the same VWAP anchor up to
 * it (series.anchorOf: the regular session or the trading day; each candle's vwap·volume is its
 * notional). Null outside any (pre-market in session mode) and before any volume.
 */
export function sessionVwapAt(series: Pick<CandleSeries, "at" | "carried" | "anchorOf">, index: number): number | null {
  const point = series.at(index);
  if (!point) return null;
  const anchor = series.anchorOf(point.x);
  if (anchor === null) return null;
  let notional = 0;
  let volume = 0;
  let i = index;
  // Candles between the anchor and this one all count in it (a session or day has no holes).
  for (; i >= 0; i--) {
    const p = series.at(i) as CandlePoint;
    if (p.x < anchor) break;
    if (p.vwap !== null && p.v > 0) {
      notional += p.vwap * p.v;
      volume += p.v;
    }
  }
  // Reached the oldest held candle still inside the VWAP: add what was evicted from it.
  const carried = series.carried;
  if (i < 0 && carried && carried.anchor === anchor) {
    notional += carried.notional;
    volume += carried.volume;
  }
  return volume > 0 ? notional / volume : null;
}

function datums(point: CandlePoint, series: Pick<CandleSeries, "at" | "carried" | "anchorOf">, index: number, smaPeriod: number) {
  return {
    candle: { x: point.x, o: point.o, h: point.h, l: point.l, c: point.c },
    volume: { x: point.x, y: point.v, up: point.c >= point.o },
    vwap: { x: point.x, y: sessionVwapAt(series, index) },
    sma: { x: point.x, y: smaAt(series, index, smaPeriod) },
  };
}

/** Full arrays of the series, oldest first (initial load and history reloads only). */
export function buildChartArrays(series: CandleSeries, smaPeriod = DEFAULT_SMA_PERIOD): ChartArrays {
  const arrays: ChartArrays = { candles: [], volume: [], vwap: [], sma: [] };
  const carried = series.carried;
  let anchor: number | null = carried ? carried.anchor : null;
  let notional = carried?.notional ?? 0;
  let volume = carried?.volume ?? 0;
  const sma = createSma(smaPeriod);
  for (let i = 0; i < series.size; i++) {
    const p = series.at(i) as CandlePoint;
    // Running VWAP sums keep a full build linear in the number of candles.
    const own = series.anchorOf(p.x);
    if (own !== anchor) {
      anchor = own;
      notional = 0;
      volume = 0;
    }
    if (own !== null && p.vwap !== null && p.v > 0) {
      notional += p.vwap * p.v;
      volume += p.v;
    }
    arrays.candles.push({ x: p.x, o: p.o, h: p.h, l: p.l, c: p.c });
    arrays.volume.push({ x: p.x, y: p.v, up: p.c >= p.o });
    arrays.vwap.push({ x: p.x, y: own !== null && volume > 0 ? notional / volume : null });
    arrays.sma.push({ x: p.x, y: sma.update(p.c) ?? null });
  }
  return arrays;
}

/**
 * Mirrors one `series.apply()` result into `arrays` in place: replace the touched points (and the
 * SMA values whose window covers them), or push one point and drop the oldest when the series
 * evicted it. Returns whether anything changed (so the caller knows to redraw).
 */
export function applyToChartArrays(
  arrays: ChartArrays,
  series: CandleSeries,
  result: ApplyResult,
  smaPeriod = DEFAULT_SMA_PERIOD,
): boolean {
  if (result.kind === "stale") return false;
  if (result.kind === "appended") {
    if (result.evicted) {
      arrays.candles.shift();
      arrays.volume.shift();
      arrays.vwap.shift();
      arrays.sma.shift();
    }
    const index = series.size - 1;
    const d = datums(series.at(index) as CandlePoint, series, index, smaPeriod);
    arrays.candles.push(d.candle);
    arrays.volume.push(d.volume);
    arrays.vwap.push(d.vwap);
    arrays.sma.push(d.sma);
    return true;
  }
  const point = series.at(result.index) as CandlePoint;
  const d = datums(point, series, result.index, smaPeriod);
  arrays.candles[result.index] = d.candle;
  arrays.volume[result.index] = d.volume;
  // A changed candle moves the VWAP of every later candle of its session or day...
  const anchor = series.anchorOf(point.x);
  for (let i = result.index; i < series.size && series.anchorOf((series.at(i) as CandlePoint).x) === anchor; i++) {
    arrays.vwap[i] = { x: (series.at(i) as CandlePoint).x, y: sessionVwapAt(series, i) };
  }
  // ...and every SMA whose window includes it.
  const lastAffected = Math.min(series.size - 1, result.index + smaPeriod - 1);
  for (let i = result.index; i <= lastAffected; i++) arrays.sma[i] = { x: (series.at(i) as CandlePoint).x, y: smaAt(series, i, smaPeriod) };
  return true;
}

/**
 * Realized volatility of the last `period` log returns of the closes (the sample stdev the stream
 * stores as rv20), in percent per candle; null with fewer than `period` + 1 closes.
 */
export function realizedVolatilityPct(points: readonly Pick<CandlePoint, "c">[], period = DEFAULT_VOL_PERIOD): number | null {
  const vol = realizedVolOfLast(
    points.slice(-(period + 1)).map((p) => p.c),
    period,
  );
  return vol === undefined ? null : vol.stdev * 100;
}

/**
 * The series' ends as `data-*` values for the chart container (dataset keys): a cheap hook that
 * lets tests and tools read what the chart holds without decoding pixels. With strictly increasing
 * windows, `candles === (lastWindowStart - firstWindowStart) / intervalMs + 1` means no gap.
 */
export function chartHookDataset(
  series: CandleSeries,
): Record<"candles" | "firstWindowStart" | "lastWindowStart" | "lastClose" | "lastTradeCount", string> {
  const first = series.at(0);
  const last = series.last();
  return {
    candles: String(series.size),
    firstWindowStart: first ? String(first.x) : "",
    lastWindowStart: last ? String(last.x) : "",
    lastClose: last ? String(last.c) : "",
    lastTradeCount: last?.n == null ? "" : String(last.n),
  };
}
