// The per-symbol `latest` row as the API shows it: last price, day change (against the previous
// close, or the day's open when the feed has no previous day, e.g. one replayed day), quote, spread.
import type cassandra from "cassandra-driver";
import { z } from "zod";
import type { QueryContext } from "../context";
import { msOf, nullableNumber, numberOf, readAllRows, textOf } from "./shared";

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

// SELECT * so the reader keeps working while migrations add columns (quote_ts arrives in 004).
export function latestFromRow(row: cassandra.types.Row): Latest {
  const last = numberOf(row, "last_price");
  const prevClose = numberOf(row, "prev_close");
  const dayOpen = numberOf(row, "day_open");
  const basis = prevClose !== null ? prevClose : dayOpen;
  const change = last !== null && basis !== null ? last - basis : null;
  const bid = numberOf(row, "bid");
  const ask = numberOf(row, "ask");
  return {
    symbol: row.get("symbol") as string,
    ts: msOf(row, "ts"),
    day: textOf(row, "day"),
    last,
    dayOpen,
    dayHigh: numberOf(row, "day_high"),
    dayLow: numberOf(row, "day_low"),
    dayVolume: numberOf(row, "day_volume"),
    prevClose,
    change,
    changePct: change !== null && basis ? (change / basis) * 100 : null,
    changeBasis: basis === null ? null : prevClose !== null ? "prevClose" : "dayOpen",
    bid,
    ask,
    bidSize: numberOf(row, "bid_size"),
    askSize: numberOf(row, "ask_size"),
    spread: bid !== null && ask !== null ? ask - bid : null,
    quoteTs: msOf(row, "quote_ts"),
  };
}

/** One symbol's latest row, or null. */
export async function readLatest(ctx: QueryContext, symbol: string): Promise<Latest | null> {
  const result = await ctx.client.execute(`SELECT * FROM ${ctx.keyspace}.latest WHERE symbol = ?`, [symbol]);
  const row = result.first();
  return row ? latestFromRow(row) : null;
}

/** Every symbol's latest row (one small row per symbol; the table is the symbol universe), by symbol. */
export async function readAllLatest(ctx: QueryContext): Promise<Latest[]> {
  const rows = (await readAllRows(ctx, `SELECT * FROM ${ctx.keyspace}.latest`)).map(latestFromRow);
  return rows.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
