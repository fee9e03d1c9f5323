// The overview's sparklines kept in memory: per symbol, the newest 1m closes of one UTC day, loaded
// once from Cassandra and then kept current from the live stream's 1m candle updates. Pure: the
// caller does the reads, feeds the updates and passes the clock; bounded in symbols and points.
import { dayKey, windowStart } from "../../core/intervals";

export interface SparklineSnapshotLimits {
  /** Symbols held; the least recently read one goes first. Keep it ≥ the overview's largest `limit`, or builds reload. */
  maxSymbols: number;
  /** 1m closes held per symbol. */
  maxPoints: number;
  /** Live updates buffered per load in flight; beyond it the load is not installed. */
  maxBufferedUpdates: number;
}

/** One 1m candle's close, from a stored row or a live update. */
export interface ClosePoint {
  windowStartMs: number;
  close: number;
}

interface Series {
  day: string;
  dayStartMs: number;
  /** Every 1m candle of the day with a window start ≥ this is held (the day start: the whole day). */
  completeFromMs: number;
  /** Ascending, unique; `closes` in step. */
  windowStarts: number[];
  closes: number[];
  capacity: number;
  loadedAtMs: number;
}

/** A load in flight: what it was for, and the updates of its symbol and day that arrived meanwhile. */
export interface SparklineLoad {
  readonly symbol: string;
  readonly day: string;
  /** Closes the load asks Cassandra for (the newest of the day, no upper bound on the window). */
  readonly count: number;
  readonly epoch: number;
  readonly buffered: ClosePoint[];
  overflowed: boolean;
}

/** Where `windowStartMs` goes in ascending `starts` (the index of an equal one, if any). */
function lowerBound(starts: readonly number[], windowStartMs: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((starts[mid] as number) < windowStartMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function applyToSeries(series: Series, point: ClosePoint): void {
  if (point.windowStartMs < series.completeFromMs) return;
  const index = lowerBound(series.windowStarts, point.windowStartMs);
  if (series.windowStarts[index] === point.windowStartMs) {
    series.closes[index] = point.close;
    return;
  }
  series.windowStarts.splice(index, 0, point.windowStartMs);
  series.closes.splice(index, 0, point.close);
  if (series.windowStarts.length > series.capacity) {
    // The oldest goes; completeness then starts at the next one.
    series.windowStarts.shift();
    series.closes.shift();
    series.completeFromMs = series.windowStarts[0] as number;
  }
}

/**
 * Per-symbol 1m closes of one day each. A series is only installed from a load that started while
 * the live feed was continuous (same `epoch`), with the updates that arrived during the load applied
 * after it, so it equals Cassandra's rows once the feed has delivered what was written. `gap()` (the
 * feed may have missed entries) drops everything.
 */
export class SparklineSnapshot {
  readonly limits: SparklineSnapshotLimits;
  // Map order is recency of use: reads re-insert, eviction takes the first.
  readonly #series = new Map<string, Series>();
  readonly #loads = new Map<string, Set<SparklineLoad>>();
  #epoch = 0;
  #live = false;

  constructor(limits: SparklineSnapshotLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
    }
    this.limits = limits;
  }

  /** True while the feed delivers every update (between `live()` and `gap()`). */
  get isLive(): boolean {
    return this.#live;
  }

  get size(): number {
    return this.#series.size;
  }

  /** The feed reads on from a known point: every update from now on will be applied. */
  live(): void {
    if (this.#live) return;
    this.#live = true;
    // Loads begun before this point may have missed updates.
    this.#epoch++;
  }

  /** The feed may have missed updates: every series and load in flight is dropped. */
  gap(): void {
    this.#live = false;
    this.#epoch++;
    this.#series.clear();
    this.#loads.clear();
  }

  /** True when an update of `symbol` would be used (held, or being loaded): the feed parses only those. */
  wants(symbol: string): boolean {
    return this.#series.has(symbol) || this.#loads.has(symbol);
  }

  /** A live 1m candle update (provisional or final: both are stored rows). */
  apply(symbol: string, point: ClosePoint): void {
    const day = dayKey(point.windowStartMs);
    const series = this.#series.get(symbol);
    if (series && series.day === day) applyToSeries(series, point);
    for (const load of this.#loads.get(symbol) ?? []) {
      if (load.day !== day || load.overflowed) continue;
      if (load.buffered.length >= this.limits.maxBufferedUpdates) load.overflowed = true;
      else load.buffered.push(point);
    }
  }

  /**
   * The newest `points` closes of the day of `tsMs` with window start ≤ `tsMs`, oldest first (what
   * `readSparkline` reads from Cassandra), or undefined when the snapshot cannot tell.
   */
  read(symbol: string, tsMs: number, points: number): number[] | undefined {
    const series = this.#series.get(symbol);
    if (!series || series.day !== dayKey(tsMs)) return undefined;
    const end = lowerBound(series.windowStarts, windowStart(tsMs, "1m") + 1);
    let result: number[] | undefined;
    if (end >= points) result = series.closes.slice(end - points, end);
    else if (series.completeFromMs <= series.dayStartMs) result = series.closes.slice(0, end);
    if (result) {
      this.#series.delete(symbol);
      this.#series.set(symbol, series);
    }
    return result;
  }

  /** Symbols whose series were loaded `maxAgeMs` or more ago, oldest first, at most `limit`. */
  stale(nowMs: number, maxAgeMs: number, limit: number): { symbol: string; day: string; count: number }[] {
    const stale: { symbol: string; day: string; count: number; loadedAtMs: number }[] = [];
    for (const [symbol, series] of this.#series) {
      if (nowMs - series.loadedAtMs >= maxAgeMs && !this.#loads.has(symbol)) {
        stale.push({ symbol, day: series.day, count: series.capacity, loadedAtMs: series.loadedAtMs });
      }
    }
    return stale
      .sort((a, b) => a.loadedAtMs - b.loadedAtMs)
      .slice(0, limit)
      .map(({ symbol, day, count }) => ({ symbol, day, count }));
  }

  /** Capacity a load for `points` should ask for: a few more than needed, for candles newer than the last trade. */
  loadCount(points: number): number {
    return Math.min(this.limits.maxPoints, Math.max(points, 1) + 16);
  }

  /** Registers a load of the newest `count` closes of `symbol` on `day`; start the read after this. */
  beginLoad(symbol: string, day: string, count: number): SparklineLoad {
    const load: SparklineLoad = {
      symbol,
      day,
      count: Math.min(count, this.limits.maxPoints),
      epoch: this.#epoch,
      buffered: [],
      overflowed: false,
    };
    let loads = this.#loads.get(symbol);
    if (!loads) this.#loads.set(symbol, (loads = new Set()));
    loads.add(load);
    return load;
  }

  /**
   * Ends `load` with the rows it read (any order); installs the series when the feed stayed
   * continuous since `beginLoad` and the result is not older than the one held. Returns whether it did.
   */
  finishLoad(load: SparklineLoad, rows: readonly ClosePoint[] | undefined, nowMs: number): boolean {
    const loads = this.#loads.get(load.symbol);
    if (!loads?.delete(load)) return false;
    if (loads.size === 0) this.#loads.delete(load.symbol);
    if (!rows || load.overflowed || !this.#live || load.epoch !== this.#epoch) return false;
    const held = this.#series.get(load.symbol);
    if (held && held.day > load.day) return false;
    const sorted = [...rows].sort((a, b) => a.windowStartMs - b.windowStartMs);
    const dayStartMs = Date.parse(`${load.day}T00:00:00Z`);
    const series: Series = {
      day: load.day,
      dayStartMs,
      // Fewer rows than asked for: the day holds no more.
      completeFromMs: sorted.length < load.count ? dayStartMs : (sorted[0]?.windowStartMs ?? dayStartMs),
      windowStarts: sorted.map((p) => p.windowStartMs),
      closes: sorted.map((p) => p.close),
      capacity: load.count,
      loadedAtMs: nowMs,
    };
    for (const point of load.buffered) applyToSeries(series, point);
    this.#series.delete(load.symbol);
    this.#series.set(load.symbol, series);
    for (const symbol of this.#series.keys()) {
      if (this.#series.size <= this.limits.maxSymbols) break;
      this.#series.delete(symbol);
    }
    return true;
  }
}
