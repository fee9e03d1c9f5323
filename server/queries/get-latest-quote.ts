// The prevailing quote of a symbol (from its latest row) with the spread in price and basis points.
import { z } from "zod";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { readLatest } from "./read-latest";
import { isSimulatedSymbol } from "../../core/simulated-symbols";
import { nullableNumber, symbolInput, unknownSymbol } from "./shared";
import { simulatedField } from "./symbol-marks";

export const getLatestQuoteInput = z.object({ symbol: symbolInput });
export type GetLatestQuoteInput = z.input<typeof getLatestQuoteInput>;

export const getLatestQuoteOutput = z.object({
  symbol: z.string(),
  simulated: simulatedField,
  ts: z.number().nullable().describe("Time of the quote (or of the last trade when the quote time is unknown), epoch ms"),
  bid: nullableNumber,
  bidSize: nullableNumber,
  ask: nullableNumber,
  askSize: nullableNumber,
  mid: nullableNumber,
  spread: nullableNumber.describe("ask − bid"),
  spreadBps: nullableNumber.describe("spread / mid in basis points"),
  last: nullableNumber,
});
export type GetLatestQuoteOutput = z.infer<typeof getLatestQuoteOutput>;

async function readLatestQuote(ctx: QueryContext, rawInput: GetLatestQuoteInput): Promise<GetLatestQuoteOutput> {
  const { symbol } = getLatestQuoteInput.parse(rawInput);
  const latest = await readLatest(ctx, symbol);
  if (!latest) {
    if (!(await ctx.market.symbolExists(symbol))) throw unknownSymbol(symbol);
    return {
      symbol,
      simulated: isSimulatedSymbol(symbol),
      ts: null,
      bid: null,
      bidSize: null,
      ask: null,
      askSize: null,
      mid: null,
      spread: null,
      spreadBps: null,
      last: null,
    };
  }
  const { bid, ask } = latest;
  const mid = bid !== null && ask !== null ? (bid + ask) / 2 : null;
  const spread = latest.spread;
  return {
    symbol,
    simulated: isSimulatedSymbol(symbol),
    ts: latest.quoteTs ?? latest.ts,
    bid,
    bidSize: latest.bidSize,
    ask,
    askSize: latest.askSize,
    mid,
    spread,
    spreadBps: spread !== null && mid ? (spread / mid) * 10_000 : null,
    last: latest.last,
  };
}

/** quotes.latest; equal concurrent reads are shared (shared-read.ts). */
export const getLatestQuote = sharedRead("quotes.latest", readLatestQuote);
