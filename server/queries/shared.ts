// Pieces every query shares: input fields (validated and coerced the same way for tRPC and the
// REST query string), row readers tolerant of columns a newer migration adds, and the symbol check.
import type cassandra from "cassandra-driver";
import { z } from "zod";
import { symbolSchema, tsMsSchema } from "../../core/schemas";
import { AppError } from "../errors";
import type { QueryContext } from "../context";

type Row = cassandra.types.Row;

/** A ticker from a path or query string; lower case is accepted and upper-cased. */
export const symbolInput = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(symbolSchema)
  .describe("Ticker, e.g. IBM or BTC-USD (case-insensitive)");

/** Epoch milliseconds UTC; strings of digits (query strings) are coerced. */
export const epochMsInput = z.coerce.number().int().min(0).max(tsMsSchema.maxValue ?? 7_258_118_400_000);

/** A page size between 1 and `max`, `fallback` when absent. */
export function limitInput(fallback: number, max: number) {
  return z.coerce.number().int().min(1).max(max).default(fallback).describe(`Page size, 1–${max}`);
}

export const nullableNumber = z.number().nullable();

/** A double column as a number, null when absent or not set. */
export function numberOf(row: Row, column: string): number | null {
  const value: unknown = row.get(column);
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A timestamp column as epoch ms, null when absent or not set. */
export function msOf(row: Row, column: string): number | null {
  const value: unknown = row.get(column);
  return value instanceof Date ? value.getTime() : null;
}

export function textOf(row: Row, column: string): string | null {
  const value: unknown = row.get(column);
  return typeof value === "string" ? value : null;
}

/** True when the symbol has been seen (a symbols or a latest row). */
export async function symbolExists(ctx: QueryContext, symbol: string): Promise<boolean> {
  const [known, latest] = await Promise.all([
    ctx.client.execute(`SELECT symbol FROM ${ctx.keyspace}.symbols WHERE symbol = ?`, [symbol]),
    ctx.client.execute(`SELECT symbol FROM ${ctx.keyspace}.latest WHERE symbol = ?`, [symbol]),
  ]);
  return known.rowLength > 0 || latest.rowLength > 0;
}

export function unknownSymbol(symbol: string): AppError {
  return new AppError("NOT_FOUND", { message: `unknown symbol ${symbol}`, retriable: false, fields: { symbol: [`unknown symbol ${symbol}`] } });
}

/** Throws NOT_FOUND unless the symbol is known; queries call it only when they found no rows. */
export async function assertSymbolExists(ctx: QueryContext, symbol: string): Promise<void> {
  if (!(await symbolExists(ctx, symbol))) throw unknownSymbol(symbol);
}

/** Runs `task` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Every row of a (small) table scan, paged `fetchSize` rows per round trip. */
export async function readAllRows(ctx: QueryContext, query: string, fetchSize = 1_000): Promise<Row[]> {
  const rows: Row[] = [];
  let pageState: string | undefined;
  do {
    const page = await ctx.client.execute(query, [], { prepare: true, fetchSize, ...(pageState ? { pageState } : {}) });
    rows.push(...page.rows);
    pageState = page.pageState ?? undefined;
  } while (pageState);
  return rows;
}
