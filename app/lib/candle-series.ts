// The chart's model of one candle series: a fixed-capacity ring buffer of points that live updates
// patch (same window) or extend (next window), plus the Chart.js dataset arrays kept in step with
// it by small edits at the tail, so a tick never rebuilds the whole dataset.
import { RingBuffer } from "../../core/ring-buffer";

/** What a candle looks like from the API (history) and from the live stream. */
export interface CandleLike {
  windowStart: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  isFinal: boolean;
  tradeCount?: number;
}

export interface CandlePoint {
  x: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vwap: number | null;
  final: boolean;
  /** Trades in the window; null when the source did not say. */
  n: number | null;
}

export type ApplyResult = { kind: "appended"; evicted: boolean } | { kind: "patched"; index: number } | { kind: "stale" };

export function pointOf(candle: CandleLike): CandlePoint {
  return {
    x: candle.windowStart,
    o: candle.open,
    h: candle.high,
    l: candle.low,
    c: candle.close,
    v: candle.volume,
    vwap: candle.vwap,
    final: candle.isFinal,
    n: candle.tradeCount ?? null,
  };
}

function candleOf(point: CandlePoint): CandleLike {
  return {
    windowStart: point.x,
    open: point.o,
    high: point.h,
    low: point.l,
    close: point.c,
    volume: point.v,
    vwap: point.vwap,
    isFinal: point.final,
    ...(point.n === null ? {} : { tradeCount: point.n }),
  };
}

const DAY_MS = 86_400_000;

/**
 * The anchor (start time) of the VWAP a candle starting at `windowStartMs` counts in, or null when
 * it counts in none (core/exchange-time vwapAnchor: a session, a trading day). Default: its UTC day.
 */
export type VwapAnchorOf = (windowStartMs: number) => number | null;
export const utcDayAnchor: VwapAnchorOf = (x) => Math.floor(x / DAY_MS) * DAY_MS;

/** Volume-weighted sums of candles evicted from a VWAP the series still shows (keeps it whole). */
export interface CarriedSession {
  anchor: number;
  notional: number;
  volume: number;
}

export class CandleSeries {
  readonly capacity: number;
  /** Which VWAP each candle counts in. */
  readonly anchorOf: VwapAnchorOf;
  readonly #buffer: RingBuffer<CandlePoint>;
  #carried: CarriedSession | null = null;

  constructor(capacity: number, anchorOf: VwapAnchorOf = utcDayAnchor) {
    this.capacity = capacity;
    this.anchorOf = anchorOf;
    this.#buffer = new RingBuffer<CandlePoint>(capacity);
  }

  get size(): number {
    return this.#buffer.size;
  }

  /** Replaces the content with `candles` (any order); keeps the newest `capacity`. */
  load(candles: readonly CandleLike[]): void {
    this.#buffer.clear();
    this.#carried = null;
    const sorted = [...candles].sort((a, b) => a.windowStart - b.windowStart);
    for (const candle of sorted.slice(-this.capacity)) this.#buffer.push(pointOf(candle));
  }

  /**
   * Keeps what `previous` (the series this one replaces after a history reload) learned live and the
   * reloaded history lacks: windows newer than the newest loaded, and the newest loaded window when
   * `previous` counted more trades in it. Live updates that arrive while a reload is in flight
   * would otherwise be lost, and a closed window never updates again: a gap. Returns how many.
   */
  keepNewer(previous: CandleSeries): number {
    const newest = this.#buffer.last();
    let kept = 0;
    for (const point of previous.toArray()) {
      if (newest && point.x < newest.x) continue;
      if (newest && point.x === newest.x && (point.n ?? 0) <= (newest.n ?? 0)) continue;
      this.apply(candleOf(point));
      kept++;
    }
    return kept;
  }

  /**
   * Folds a live candle in: the newest window is patched in place, a newer one appended (evicting
   * the oldest when full), an older window still held is corrected in place (late data), and one
   * older than everything held is ignored.
   */
  apply(candle: CandleLike): ApplyResult {
    const last = this.#buffer.last();
    if (!last || candle.windowStart > last.x) {
      const evicted = this.#buffer.push(pointOf(candle));
      if (evicted) this.#carry(evicted);
      return { kind: "appended", evicted: evicted !== undefined };
    }
    for (let index = this.#buffer.size - 1; index >= 0; index--) {
      const point = this.#buffer.at(index) as CandlePoint;
      if (point.x === candle.windowStart) {
        Object.assign(point, pointOf(candle));
        return { kind: "patched", index };
      }
      if (point.x < candle.windowStart) break;
    }
    return { kind: "stale" };
  }

  /** Sums of evicted candles of the oldest held candle's VWAP, if any were evicted from it. */
  get carried(): CarriedSession | null {
    const first = this.#buffer.at(0);
    return first && this.#carried && this.anchorOf(first.x) === this.#carried.anchor ? this.#carried : null;
  }

  #carry(point: CandlePoint): void {
    const anchor = this.anchorOf(point.x);
    if (anchor === null) return;
    if (!this.#carried || this.#carried.anchor !== anchor) this.#carried = { anchor, notional: 0, volume: 0 };
    if (point.vwap !== null && point.v > 0) {
      this.#carried.notional += point.vwap * point.v;
      this.#carried.volume += point.v;
    }
  }

  at(index: number): CandlePoint | undefined {
    return this.#buffer.at(index);
  }

  last(): CandlePoint | undefined {
    return this.#buffer.last();
  }

  toArray(): CandlePoint[] {
    return this.#buffer.toArray();
  }
}
