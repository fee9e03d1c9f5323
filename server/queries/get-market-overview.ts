// The market at a glance: every symbol's last price, day change, volume and spread, with a
// sparkline of its most recent 1m closes. A build reads the `latest` table once; sparklines come
// from the context's in-memory snapshot when it has one (the web process), else from Cassandra.
import { z } from "zod";
import { candleBucket } from "../../core/intervals";
import { isSimulatedSymbol } from "../../core/simulated-symbols";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { readAllLatest, type Latest } from "./read-latest";
import { mapConcurrent } from "../../core/concurrency";
import { limitInput, nullableNumber } from "./shared";
import { simulatedField } from "./symbol-marks";

// Only misses of the snapshot (a symbol's first overview of the day) read Cassandra.
const SPARKLINE_READ_CONCURRENCY = 32;

export const getMarketOverviewInput = z.object({
  limit: limitInput(500, 1_000).describe("At most this many symbols, in symbol order"),
  sparklinePoints: z.coerce.number().int().min(0).max(240).default(60).describe("1m closes per sparkline (0 = none)"),
});
export type GetMarketOverviewInput = z.input<typeof getMarketOverviewInput>;

export const overviewRowSchema = z.object({
  symbol: z.string(),
  simulated: simulatedField,
  ts: z.number().nullable().describe("Last trade time, epoch ms"),
  day: z.string().nullable(),
  last: nullableNumber,
  change: nullableNumber,
  changePct: nullableNumber,
  volume: nullableNumber.describe("Day volume"),
  bid: nullableNumber,
  ask: nullableNumber,
  spread: nullableNumber,
  sparkline: z.array(z.number()).describe("Recent 1m closes, oldest first"),
});
export type OverviewRow = z.infer<typeof overviewRowSchema>;

export const getMarketOverviewOutput = z.object({ asOf: z.number().describe("Server time, epoch ms"), rows: z.array(overviewRowSchema) });
export type GetMarketOverviewOutput = z.infer<typeof getMarketOverviewOutput>;

export function overviewRow(latest: Latest, sparkline: number[]): OverviewRow {
  return {
    symbol: latest.symbol,
    simulated: isSimulatedSymbol(latest.symbol),
    ts: latest.ts,
    day: latest.day,
    last: latest.last,
    change: latest.change,
    changePct: latest.changePct,
    volume: latest.dayVolume,
    bid: latest.bid,
    ask: latest.ask,
    spread: latest.spread,
    sparkline,
  };
}

/** The newest `points` 1m closes of the symbol's last trading day up to its last trade, oldest first. */
export async function readSparkline(ctx: QueryContext, latest: Latest, points: number): Promise<number[]> {
  if (points === 0 || latest.ts === null) return [];
  const closes = await ctx.market.newestCloses(latest.symbol, "1m", candleBucket("1m", latest.ts), points, latest.ts);
  return closes.map((point) => point.close).reverse();
}

/** `readSparkline`'s answer, from the context's snapshot when it can tell. */
async function sparklineOf(ctx: QueryContext, latest: Latest, points: number): Promise<number[]> {
  if (points === 0 || latest.ts === null) return [];
  return (await ctx.sparklines?.read(latest.symbol, latest.ts, points)) ?? readSparkline(ctx, latest, points);
}

async function readMarketOverview(ctx: QueryContext, rawInput: GetMarketOverviewInput = {}): Promise<GetMarketOverviewOutput> {
  const input = getMarketOverviewInput.parse(rawInput);
  const latest = (await readAllLatest(ctx)).slice(0, input.limit);
  const rows = await mapConcurrent(latest, SPARKLINE_READ_CONCURRENCY, async (entry) =>
    overviewRow(entry, await sparklineOf(ctx, entry, input.sparklinePoints)),
  );
  ctx.sparklines?.resync();
  return { asOf: ctx.nowMs(), rows };
}

/** The market overview; equal concurrent reads are shared (shared-read.ts). */
export const getMarketOverview = sharedRead("market.overview", (ctx: QueryContext, input: GetMarketOverviewInput | undefined) =>
  readMarketOverview(ctx, input),
);
