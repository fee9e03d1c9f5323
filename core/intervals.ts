// Candle intervals, epoch-aligned event-time windows, and the Cassandra partition ("bucket") rule
// that keeps every candle partition bounded: intraday by UTC day, hourly by month, daily by year.
import { z } from "zod";

/** Intervals the stream worker computes live. */
export const STREAM_INTERVALS = ["1s", "1m", "5m", "1h"] as const;
/** Every interval, including `1d`, which only batch rollups produce. */
export const INTERVALS = [...STREAM_INTERVALS, "1d"] as const;

export type StreamInterval = (typeof STREAM_INTERVALS)[number];
export type Interval = (typeof INTERVALS)[number];

export const intervalSchema = z.enum(INTERVALS);

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Length of each interval in milliseconds. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  "1s": SECOND_MS,
  "1m": MINUTE_MS,
  "5m": 5 * MINUTE_MS,
  "1h": HOUR_MS,
  "1d": DAY_MS,
};

/** True when `value` names a known interval. */
export function isInterval(value: string): value is Interval {
  return Object.hasOwn(INTERVAL_MS, value);
}

/**
 * Start (inclusive) of the window of `interval` that contains `tsMs`. Windows are aligned to the
 * epoch; epoch ms carry no leap seconds, so `1d` windows start exactly at UTC midnight.
 */
export function windowStart(tsMs: number, interval: Interval): number {
  const lengthMs = INTERVAL_MS[interval];
  // Math.floor rather than `ts - ts % len`, so a negative ts still floors toward -Infinity.
  return Math.floor(tsMs / lengthMs) * lengthMs;
}

/** End (exclusive) of the window of `interval` that contains `tsMs`; a window start maps to its own end. */
export function windowEnd(tsMs: number, interval: Interval): number {
  return windowStart(tsMs, interval) + INTERVAL_MS[interval];
}

// The stream asks for the day of every tick: remember the last day's bounds instead of formatting a Date each time.
let lastDay = { fromMs: 0, toMs: -1, key: "" };

/** UTC calendar day of `tsMs` as "YYYY-MM-DD" (the raw-tick and intraday-candle partition key). */
export function dayKey(tsMs: number): string {
  if (tsMs >= lastDay.fromMs && tsMs < lastDay.toMs) return lastDay.key;
  const fromMs = Math.floor(tsMs / DAY_MS) * DAY_MS;
  const key = new Date(tsMs).toISOString().slice(0, 10);
  if (Number.isFinite(fromMs)) lastDay = { fromMs, toMs: fromMs + DAY_MS, key };
  return key;
}

/** UTC calendar month of `tsMs` as "YYYY-MM". */
export function monthKey(tsMs: number): string {
  return new Date(tsMs).toISOString().slice(0, 7);
}

/** UTC calendar year of `tsMs` as "YYYY". */
export function yearKey(tsMs: number): string {
  return new Date(tsMs).toISOString().slice(0, 4);
}

/** Which calendar unit partitions candles of each interval, so a partition holds at most ~86k rows. */
const BUCKET_UNIT: Readonly<Record<Interval, "day" | "month" | "year">> = {
  "1s": "day",
  "1m": "day",
  "5m": "day",
  "1h": "month",
  "1d": "year",
};

/**
 * Cassandra partition bucket of the candle whose window contains `windowStartMs`:
 * "YYYY-MM-DD" for 1s/1m/5m, "YYYY-MM" for 1h, "YYYY" for 1d. The full partition key is
 * `(symbol, interval, bucket)`.
 */
export function candleBucket(interval: Interval, windowStartMs: number): string {
  const startMs = windowStart(windowStartMs, interval);
  switch (BUCKET_UNIT[interval]) {
    case "day":
      return dayKey(startMs);
    case "month":
      return monthKey(startMs);
    case "year":
      return yearKey(startMs);
  }
}

/**
 * Every candle bucket that windows of `interval` between `fromMs` and `toMs` (both inclusive) fall
 * in, oldest first: what a range query must read. Empty when `fromMs > toMs`.
 */
export function candleBucketsBetween(interval: Interval, fromMs: number, toMs: number): string[] {
  if (fromMs > toMs) return [];
  const unit = BUCKET_UNIT[interval];
  const buckets: string[] = [];
  const from = new Date(windowStart(fromMs, interval));
  // Step by calendar unit from the bucket's own start; months and years vary in length.
  let cursorMs =
    unit === "day"
      ? windowStart(from.getTime(), "1d")
      : unit === "month"
        ? Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1)
        : Date.UTC(from.getUTCFullYear(), 0, 1);
  while (cursorMs <= toMs) {
    buckets.push(candleBucket(interval, cursorMs));
    const cursor = new Date(cursorMs);
    cursorMs =
      unit === "day"
        ? cursorMs + DAY_MS
        : unit === "month"
          ? Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1)
          : Date.UTC(cursor.getUTCFullYear() + 1, 0, 1);
  }
  return buckets;
}
