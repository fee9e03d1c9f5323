// One past or current trading day of a symbol as the page header shows it: the regular session's
// open, high, low, close, volume and VWAP (in the venue's time zone), the day's whole volume, and
// the change against the previous trading day's close (its stored 1d candle, else its 1m candles).
import { z } from "zod";
import type { CandleBar } from "../../adapters/market-read-store";
import { dayChange, summarizeDay, type BarLike } from "../../core/day-summary";
import { exchangeDayBounds, regularSessionBounds, venueOf, type Venue } from "../../core/exchange-time";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { assertSymbolExists, nullableNumber, symbolInput } from "./shared";

const DAY_MS = 86_400_000;
/** Trading days looked back for a previous close when no 1d candle precedes the day (a long weekend). */
const PREVIOUS_DAYS_BACK = 4;
/** 1d candles looked back for one: two weeks of holidays. */
const PREVIOUS_CLOSE_WINDOW_MS = 14 * DAY_MS;
/** 1m candles of one trading day: 25 hours across the autumn DST change. */
const MAX_MINUTES = 25 * 60;

export const getDaySummaryInput = z.object({
  symbol: symbolInput,
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .refine((day) => new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), "not a calendar day")
    .describe("Trading date in the venue's time zone, YYYY-MM-DD"),
});
export type GetDaySummaryInput = z.input<typeof getDaySummaryInput>;

export const getDaySummaryOutput = z.object({
  symbol: z.string(),
  day: z.string(),
  timeZone: z.string().describe("The venue's time zone, in which `day` is a date"),
  sessionOpen: z.number().describe("Regular session open, epoch ms (a 24 h venue: the trading day's start)"),
  sessionClose: z.number().describe("Regular session close, epoch ms (exclusive)"),
  basis: z
    .enum(["regular-session", "trading-day"])
    .nullable()
    .describe(
      "What open…vwap cover: the regular session, or the whole trading day (24 h venues, or no trade in the session); null without trades",
    ),
  open: nullableNumber,
  high: nullableNumber,
  low: nullableNumber,
  close: nullableNumber,
  volume: nullableNumber,
  vwap: nullableNumber,
  dayVolume: nullableNumber.describe("Volume of the whole trading day, extended hours included"),
  lastBarStart: nullableNumber.describe("Start of the last 1m candle in the summary, epoch ms"),
  prevClose: nullableNumber,
  prevCloseDay: z.string().nullable(),
  change: nullableNumber,
  changePct: nullableNumber,
  changeBasis: z.enum(["prevClose", "dayOpen"]).nullable(),
});
export type GetDaySummaryOutput = z.infer<typeof getDaySummaryOutput>;

const barOf = (bar: CandleBar): BarLike => ({
  windowStart: bar.windowStartMs,
  open: bar.open,
  high: bar.high,
  low: bar.low,
  close: bar.close,
  volume: bar.volume ?? 0,
  vwap: bar.vwap ?? null,
});

function previousDate(date: string, back: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - back * DAY_MS).toISOString().slice(0, 10);
}

async function minuteBars(ctx: QueryContext, symbol: string, venue: Venue, date: string): Promise<BarLike[]> {
  const { startMs, endMs } = exchangeDayBounds(venue, date);
  return (await ctx.market.candleBars(symbol, "1m", startMs, endMs - 1, MAX_MINUTES)).map(barOf);
}

/** The previous trading day's close: its 1d candle (dated by the day, at UTC midnight), else its 1m candles. */
async function previousClose(
  ctx: QueryContext,
  symbol: string,
  venue: Venue,
  date: string,
): Promise<{ close: number; day: string } | null> {
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const [daily] = await ctx.market.candleBars(symbol, "1d", dayStart - PREVIOUS_CLOSE_WINDOW_MS, dayStart - 1, 1);
  if (daily) return { close: daily.close, day: new Date(daily.windowStartMs).toISOString().slice(0, 10) };
  for (let back = 1; back <= PREVIOUS_DAYS_BACK; back++) {
    const day = previousDate(date, back);
    const summary = summarizeDay(venue, day, await minuteBars(ctx, symbol, venue, day));
    if (summary) return { close: summary.summary.close, day };
  }
  return null;
}

async function readDaySummary(ctx: QueryContext, rawInput: GetDaySummaryInput): Promise<GetDaySummaryOutput> {
  const { symbol, day } = getDaySummaryInput.parse(rawInput);
  const venue = venueOf(symbol);
  const [bars, previous] = await Promise.all([minuteBars(ctx, symbol, venue, day), previousClose(ctx, symbol, venue, day)]);
  const folded = summarizeDay(venue, day, bars);
  if (!folded && !previous) await assertSymbolExists(ctx, symbol);
  const { openMs, closeMs } = regularSessionBounds(venue, day);
  const change = folded ? dayChange(folded.summary.close, folded.summary.open, previous?.close ?? null) : null;
  const s = folded?.summary;
  return {
    symbol,
    day,
    timeZone: venue.timeZone,
    sessionOpen: openMs,
    sessionClose: closeMs,
    basis: folded?.basis ?? null,
    open: s?.open ?? null,
    high: s?.high ?? null,
    low: s?.low ?? null,
    close: s?.close ?? null,
    volume: s?.volume ?? null,
    vwap: s?.vwap ?? null,
    dayVolume: folded?.dayVolume ?? null,
    lastBarStart: s?.lastStartMs ?? null,
    prevClose: previous?.close ?? null,
    prevCloseDay: previous?.day ?? null,
    change: change?.change ?? null,
    changePct: change?.changePct ?? null,
    changeBasis: change?.basis ?? null,
  };
}

/** A trading day's summary; equal concurrent reads are shared (shared-read.ts). */
export const getDaySummary = sharedRead("symbols.day", readDaySummary);
