// What the symbol page asks history for: the time range an interval shows around a chosen trading
// day (in the venue's time zone: New York midnight to midnight for a US equity), the part of it the
// chart shows first, how many candles the chart keeps (its ring-buffer capacity), and whether the
// day is live.
import { exchangeDayBounds, regularSessionBounds, type Venue } from "../../core/exchange-time";

export const CHART_INTERVALS = ["1s", "1m", "5m", "1h", "1d"] as const;
export type ChartInterval = (typeof CHART_INTERVALS)[number];

const DAY_MS = 86_400_000;

/** Days of history shown per interval, ending with the chosen day. */
const DAYS_SHOWN: Readonly<Record<ChartInterval, number>> = { "1s": 1, "1m": 1, "5m": 5, "1h": 30, "1d": 366 };

/** Candles the chart holds per interval: history page size and live ring-buffer capacity. */
export const CHART_CAPACITY: Readonly<Record<ChartInterval, number>> = { "1s": 1_800, "1m": 1_440, "5m": 1_440, "1h": 720, "1d": 400 };

export function isChartInterval(value: unknown): value is ChartInterval {
  return typeof value === "string" && (CHART_INTERVALS as readonly string[]).includes(value);
}

/** True for a real calendar day written "YYYY-MM-DD". */
export function isDay(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * [from, to] in epoch ms (both inclusive) that `interval` shows for the trading day `day` of
 * `venue`. 1d candles start at UTC midnight of their date, so a 1d view spans UTC dates.
 */
export function viewRange(interval: ChartInterval, day: string, venue: Venue): { from: number; to: number } {
  if (interval === "1d") {
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    return { from: dayStart - (DAYS_SHOWN["1d"] - 1) * DAY_MS, to: dayStart + DAY_MS - 1 };
  }
  const to = exchangeDayBounds(venue, day).endMs - 1;
  const from = exchangeDayBounds(venue, daysBefore(day, DAYS_SHOWN[interval] - 1)).startMs;
  // A 25-hour day (autumn DST) is longer than one request of 1s candles may span.
  return { from: interval === "1s" ? Math.max(from, to + 1 - DAY_MS) : from, to };
}

/**
 * The part of the range the chart shows first, or null for all of it: a past day of 1m candles
 * opens on its regular session (pre- and post-market are a pan or zoom away); today, other
 * intervals and 24 h venues show everything.
 */
export function initialView(interval: ChartInterval, day: string, venue: Venue, live: boolean): { min: number; max: number } | null {
  if (live || interval !== "1m" || !venue.regular) return null;
  const { openMs, closeMs } = regularSessionBounds(venue, day);
  // The last 1m window of the session starts a minute before the close.
  return { min: openMs, max: closeMs - 60_000 };
}

/**
 * What the page subscribes to live for `interval`: 1d candles come only from the batch rollup
 * (the stream has no 1d windows, and /api/stream refuses `intervals=1d`), so a 1d chart follows
 * price and spread only.
 */
export function liveSubscription(symbol: string, interval: ChartInterval): { symbols: string[]; intervals?: string[]; types: string[] } {
  if (interval === "1d") return { symbols: [symbol], types: ["price", "spread"] };
  return { symbols: [symbol], intervals: [interval], types: ["candle", "price", "spread"] };
}

/** Only today (the venue's date now) is live: a past day is history, with no live quote or badge. */
export function isLiveDay(day: string, today: string): boolean {
  return day === today;
}
