// What the symbol page asks history for: the time range an interval shows around a chosen UTC day,
// how many candles the chart keeps (its ring-buffer capacity), and whether the day is live.

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

/** [from, to] in epoch ms (both inclusive) that `interval` shows for `day`. */
export function viewRange(interval: ChartInterval, day: string): { from: number; to: number } {
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  return { from: dayStart - (DAYS_SHOWN[interval] - 1) * DAY_MS, to: dayStart + DAY_MS - 1 };
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

/** Live updates apply to the symbol's latest trading day and to today. */
export function isLiveDay(day: string, latestDay: string | null, todayUtc: string): boolean {
  return day === todayUtc || (latestDay !== null && day === latestDay);
}
