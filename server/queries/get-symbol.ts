// One symbol: its listing row and its latest state; 404 when it has never been seen.
import { z } from "zod";
import type { QueryContext } from "../context";
import { symbolInfoFromRow, symbolInfoSchema } from "./list-symbols";
import { latestSchema, readLatest } from "./read-latest";
import { symbolInput, unknownSymbol } from "./shared";

export const getSymbolInput = z.object({ symbol: symbolInput });
export type GetSymbolInput = z.input<typeof getSymbolInput>;

export const getSymbolOutput = symbolInfoSchema.extend({ latest: latestSchema.nullable() });
export type GetSymbolOutput = z.infer<typeof getSymbolOutput>;

export async function getSymbol(ctx: QueryContext, rawInput: GetSymbolInput): Promise<GetSymbolOutput> {
  const { symbol } = getSymbolInput.parse(rawInput);
  const [listed, latest] = await Promise.all([
    ctx.client.execute(`SELECT symbol, name, first_seen, last_seen FROM ${ctx.keyspace}.symbols WHERE symbol = ?`, [symbol]),
    readLatest(ctx, symbol),
  ]);
  const row = listed.first();
  if (!row && !latest) throw unknownSymbol(symbol);
  const info = row ? symbolInfoFromRow(row) : { symbol, name: null, firstSeen: null, lastSeen: latest?.ts ?? null };
  return { ...info, latest };
}
