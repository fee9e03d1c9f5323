// Every symbol seen, optionally filtered by a search text (ticker prefix or name substring).
import { z } from "zod";
import type { SymbolRow } from "../../adapters/market-read-store";
import type { QueryContext } from "../context";
import { limitInput } from "./shared";
import { symbolMarks, symbolMarksSchema } from "./symbol-marks";

export const listSymbolsInput = z.object({
  search: z.string().trim().max(32).optional().describe("Ticker prefix or name substring, case-insensitive"),
  limit: limitInput(500, 2000),
});
export type ListSymbolsInput = z.input<typeof listSymbolsInput>;

export const symbolInfoSchema = z
  .object({
    symbol: z.string(),
    name: z.string().nullable(),
    firstSeen: z.number().nullable().describe("epoch ms"),
    lastSeen: z.number().nullable().describe("epoch ms"),
  })
  .extend(symbolMarksSchema.shape);
export type SymbolInfo = z.infer<typeof symbolInfoSchema>;

export const listSymbolsOutput = z.object({ symbols: z.array(symbolInfoSchema), total: z.number().int() });
export type ListSymbolsOutput = z.infer<typeof listSymbolsOutput>;

export function symbolInfo(row: SymbolRow): SymbolInfo {
  return {
    symbol: row.symbol,
    name: row.name ?? null,
    firstSeen: row.firstSeenMs ?? null,
    lastSeen: row.lastSeenMs ?? null,
    ...symbolMarks(row.symbol),
  };
}

export async function listSymbols(ctx: QueryContext, rawInput: ListSymbolsInput = {}): Promise<ListSymbolsOutput> {
  const input = listSymbolsInput.parse(rawInput);
  const needle = input.search?.toUpperCase() ?? "";
  const matches: SymbolInfo[] = [];
  for (const row of await ctx.market.listSymbols()) {
    const info = symbolInfo(row);
    if (needle === "" || info.symbol.startsWith(needle) || (info.name ?? "").toUpperCase().includes(needle)) matches.push(info);
  }
  matches.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return { symbols: matches.slice(0, input.limit), total: matches.length };
}
