// Pieces every query shares: input fields (validated and coerced the same way for tRPC and the
// REST query string) and the symbol check.
import { z } from "zod";
import { symbolSchema, tsMsSchema } from "../../core/schemas";
import { AppError } from "../errors";
import type { QueryContext } from "../context";

/** A ticker from a path or query string; lower case is accepted and upper-cased. */
export const symbolInput = z.string().trim().toUpperCase().pipe(symbolSchema).describe("Ticker, e.g. IBM or BTC-USD (case-insensitive)");

/** Epoch milliseconds UTC; strings of digits (query strings) are coerced. */
export const epochMsInput = z.coerce
  .number()
  .int()
  .min(0)
  .max(tsMsSchema.maxValue ?? 7_258_118_400_000);

/** A page size between 1 and `max`, `fallback` when absent. */
export function limitInput(fallback: number, max: number) {
  return z.coerce.number().int().min(1).max(max).default(fallback).describe(`Page size, 1–${max}`);
}

export const nullableNumber = z.number().nullable();

export function unknownSymbol(symbol: string): AppError {
  return new AppError("NOT_FOUND", {
    message: `unknown symbol ${symbol}`,
    retriable: false,
    fields: { symbol: [`unknown symbol ${symbol}`] },
  });
}

/** Throws NOT_FOUND unless the symbol is known; queries call it only when they found no rows. */
export async function assertSymbolExists(ctx: QueryContext, symbol: string): Promise<void> {
  if (!(await ctx.market.symbolExists(symbol))) throw unknownSymbol(symbol);
}
