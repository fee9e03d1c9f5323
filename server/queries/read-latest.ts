// The per-symbol `latest` row as the API shows it: last price, day change (against the previous
// close, or the day's open when the feed has no previous day, e.g. one replayed day), quote, spread.
import { z } from "zod";
import type { LatestRow } from "../../adapters/market-read-store";
import type { QueryContext } from "../context";
import { nullableNumber } from "./shared";

export const latestSchema = z.object({
  symbol: z.string(),
  ts: z.number().nullable().describe("Event time of the last trade, epoch ms"),
  day: z.string().nullable().describe("UTC day of the day fields, YYYY-MM-DD"),
  last: nullableNumber,
  dayOpen: nullableNumber,
  dayHigh: nullableNumber,
  dayLow: nullableNumber,
  dayVolume: nullableNumber,
  prevClose: nullableNumber,
  change: nullableNumber,
  changePct: nullableNumber,
  changeBasis: z.enum(["prevClose", "dayOpen"]).nullable(),
  bid: nullableNumber,
  ask: nullableNumber,
  bidSize: nullableNumber,
  askSize: nullableNumber,
  spread: nullableNumber.describe("ask − bid"),
  quoteTs: z.number().nullable(),
});
export type Latest = z.infer<typeof latestSchema>;

/** A latest row as the API shows it, with the day change and the spread. */
export function latestView(row: LatestRow): Latest {
  const last = row.lastPrice ?? null;
  const prevClose = row.prevClose ?? null;
  const dayOpen = row.dayOpen ?? null;
  const basis = prevClose !== null ? prevClose : dayOpen;
  const change = last !== null && basis !== null ? last - basis : null;
  const bid = row.bid ?? null;
  const ask = row.ask ?? null;
  return {
    symbol: row.symbol,
    ts: row.tsMs ?? null,
    day: row.day ?? null,
    last,
    dayOpen,
    dayHigh: row.dayHigh ?? null,
    dayLow: row.dayLow ?? null,
    dayVolume: row.dayVolume ?? null,
    prevClose,
    change,
    changePct: change !== null && basis ? (change / basis) * 100 : null,
    changeBasis: basis === null ? null : prevClose !== null ? "prevClose" : "dayOpen",
    bid,
    ask,
    bidSize: row.bidSize ?? null,
    askSize: row.askSize ?? null,
    spread: bid !== null && ask !== null ? ask - bid : null,
    quoteTs: row.quoteTsMs ?? null,
  };
}

/** One symbol's latest row, or null. */
export async function readLatest(ctx: QueryContext, symbol: string): Promise<Latest | null> {
  const row = await ctx.market.getLatest(symbol);
  return row ? latestView(row) : null;
}

/** Every symbol's latest row (one small row per symbol; the table is the symbol universe), by symbol. */
export async function readAllLatest(ctx: QueryContext): Promise<Latest[]> {
  const rows = (await ctx.market.listLatest()).map(latestView);
  return rows.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
