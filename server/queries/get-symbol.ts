// One symbol: its listing row and its latest state; 404 when it has never been seen.
import { z } from "zod";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { symbolInfo, symbolInfoSchema } from "./list-symbols";
import { latestSchema, readLatest } from "./read-latest";
import { symbolInput, unknownSymbol } from "./shared";
import { symbolMarks } from "./symbol-marks";

export const getSymbolInput = z.object({ symbol: symbolInput });
export type GetSymbolInput = z.input<typeof getSymbolInput>;

export const getSymbolOutput = symbolInfoSchema.extend({ latest: latestSchema.nullable() });
export type GetSymbolOutput = z.infer<typeof getSymbolOutput>;

async function readSymbol(ctx: QueryContext, rawInput: GetSymbolInput): Promise<GetSymbolOutput> {
  const { symbol } = getSymbolInput.parse(rawInput);
  const [row, latest] = await Promise.all([ctx.market.getSymbol(symbol), readLatest(ctx, symbol)]);
  if (!row && !latest) throw unknownSymbol(symbol);
  const info = row ? symbolInfo(row) : { symbol, name: null, firstSeen: null, lastSeen: latest?.ts ?? null, ...symbolMarks(symbol) };
  return { ...info, latest };
}

/** symbols.get; equal concurrent reads are shared (shared-read.ts). */
export const getSymbol = sharedRead("symbols.get", readSymbol);
