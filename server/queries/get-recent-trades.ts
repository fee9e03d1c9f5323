// The latest trades of a symbol, newest first, paged by a (time, trade id) cursor; reads the day
// partitions back from the symbol's last trade day (or the cursor's day) up to a week.
import { z } from "zod";
import type { TapeTrade } from "../../adapters/market-read-store";
import { dayKey } from "../../core/intervals";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { readLatest } from "./read-latest";
import { assertSymbolExists, epochMsInput, limitInput, symbolInput } from "./shared";

const DAY_MS = 86_400_000;
/** How many empty day partitions a page may look back through. */
export const TRADE_DAYS_BACK = 7;

const cursorPattern = /^(\d{1,15}):(.{1,64})$/;

export const getRecentTradesInput = z.object({
  symbol: symbolInput,
  limit: limitInput(50, 500),
  cursor: z
    .string()
    .regex(cursorPattern, "must be a `nextCursor` value (tsMs:tradeId)")
    .optional()
    .describe("`nextCursor` of the previous page: returns older trades"),
  before: epochMsInput.optional().describe("Only trades strictly before this time, epoch ms (e.g. the end of a past day)"),
});
export type GetRecentTradesInput = z.input<typeof getRecentTradesInput>;

export const tradeOutputSchema = z.object({
  ts: z.number().describe("epoch ms UTC"),
  tradeId: z.string(),
  price: z.number(),
  size: z.number(),
  venue: z.string().nullable(),
  side: z.enum(["buy", "sell"]).nullable().describe("Aggressor side from the prevailing quote, when known"),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
});
export type TradeOutput = z.infer<typeof tradeOutputSchema>;

export const getRecentTradesOutput = z.object({
  symbol: z.string(),
  trades: z.array(tradeOutputSchema).describe("Newest first"),
  nextCursor: z.string().nullable(),
});
export type GetRecentTradesOutput = z.infer<typeof getRecentTradesOutput>;

function tradeOutput(trade: TapeTrade): TradeOutput {
  const { side } = trade;
  return {
    ts: trade.tsMs ?? 0,
    tradeId: trade.tradeId,
    price: trade.price ?? 0,
    size: trade.size ?? 0,
    venue: trade.venue ?? null,
    side: side === "buy" || side === "sell" ? side : null,
    bid: trade.bid ?? null,
    ask: trade.ask ?? null,
  };
}

async function readRecentTrades(ctx: QueryContext, rawInput: GetRecentTradesInput): Promise<GetRecentTradesOutput> {
  const input = getRecentTradesInput.parse(rawInput);
  const { symbol, limit } = input;
  const match = input.cursor ? cursorPattern.exec(input.cursor) : null;
  // The empty id sorts before every id, so (before, "") excludes all trades at `before` itself.
  const after = match
    ? { ts: Number(match[1]), tradeId: match[2] as string }
    : input.before !== undefined
      ? { ts: input.before, tradeId: "" }
      : undefined;

  let startMs = after === undefined ? undefined : match ? after.ts : after.ts - 1;
  if (startMs === undefined) {
    const latest = await readLatest(ctx, symbol);
    startMs = latest?.ts ?? ctx.nowMs();
  }

  const trades: TradeOutput[] = [];
  const wanted = limit + 1;
  for (let back = 0; back < TRADE_DAYS_BACK && trades.length < wanted; back++) {
    const day = dayKey(startMs - back * DAY_MS);
    const before = back === 0 && after ? { tsMs: after.ts, tradeId: after.tradeId } : undefined;
    for (const trade of await ctx.market.recentTrades(symbol, day, wanted - trades.length, before)) trades.push(tradeOutput(trade));
  }

  if (trades.length === 0 && !match) await assertSymbolExists(ctx, symbol);
  const hasMore = trades.length > limit;
  const page = hasMore ? trades.slice(0, limit) : trades;
  const oldest = page[page.length - 1];
  return { symbol, trades: page, nextCursor: hasMore && oldest ? `${oldest.ts}:${oldest.tradeId}` : null };
}

/** trades.recent; equal concurrent reads are shared (shared-read.ts). */
export const getRecentTrades = sharedRead("trades.recent", readRecentTrades);
