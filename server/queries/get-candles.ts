// Candles of one symbol and interval in a time range, newest first, a page at a time: reads the
// partitions ("buckets") the range spans from the newest back and stops once the page is full.
import { z } from "zod";
import type { CandleBar } from "../../adapters/market-read-store";
import { intervalSchema, type Interval } from "../../core/intervals";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { AppError } from "../errors";
import { assertSymbolExists, epochMsInput, limitInput, symbolInput } from "./shared";

const DAY_MS = 86_400_000;

/** Longest range one request may span, per interval (bounds the partitions one request reads). */
export const MAX_RANGE_MS: Readonly<Record<Interval, number>> = {
  "1s": DAY_MS,
  "1m": 31 * DAY_MS,
  "5m": 92 * DAY_MS,
  "1h": 731 * DAY_MS,
  "1d": 20 * 366 * DAY_MS,
};

/** Range used when `from` is omitted: this much before `to`. */
export const DEFAULT_SPAN_MS: Readonly<Record<Interval, number>> = {
  "1s": 15 * 60_000,
  "1m": DAY_MS,
  "5m": 5 * DAY_MS,
  "1h": 30 * DAY_MS,
  "1d": 366 * DAY_MS,
};

export const MAX_CANDLES_PER_PAGE = 5_000;

export const getCandlesInput = z
  .object({
    symbol: symbolInput,
    interval: intervalSchema.default("1m").describe("Candle length"),
    from: epochMsInput.optional().describe("Range start (inclusive), epoch ms; default: a span before `to` that depends on the interval"),
    to: epochMsInput.optional().describe("Range end (inclusive), epoch ms; default: now"),
    limit: limitInput(1_000, MAX_CANDLES_PER_PAGE),
    cursor: epochMsInput.optional().describe("`nextCursor` of the previous page: returns candles that start before it"),
  })
  .superRefine((input, ctx) => {
    if (input.from === undefined || input.to === undefined) return;
    const problem = rangeProblem(input.interval, input.from, input.to);
    if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });
export type GetCandlesInput = z.input<typeof getCandlesInput>;

/** Why `from`..`to` is not an acceptable range for `interval`, or undefined when it is. */
export function rangeProblem(interval: Interval, fromMs: number, toMs: number): { field: "from" | "to"; message: string } | undefined {
  if (fromMs > toMs) return { field: "from", message: "must not be after `to`" };
  if (toMs - fromMs > MAX_RANGE_MS[interval]) {
    return { field: "to", message: `range too long for ${interval} candles (at most ${MAX_RANGE_MS[interval] / DAY_MS} days)` };
  }
  return undefined;
}

export const candleOutputSchema = z.object({
  windowStart: z.number().describe("epoch ms UTC"),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  vwap: z.number().nullable(),
  tradeCount: z.number().int(),
  isFinal: z.boolean(),
});
export type CandleOutput = z.infer<typeof candleOutputSchema>;

export const getCandlesOutput = z.object({
  symbol: z.string(),
  interval: intervalSchema,
  from: z.number(),
  to: z.number(),
  candles: z.array(candleOutputSchema).describe("Newest first"),
  nextCursor: z.number().nullable().describe("Pass as `cursor` for the next (older) page; null on the last page"),
});
export type GetCandlesOutput = z.infer<typeof getCandlesOutput>;

function candleOutput(bar: CandleBar): CandleOutput {
  return {
    windowStart: bar.windowStartMs,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume ?? 0,
    vwap: bar.vwap ?? null,
    tradeCount: bar.tradeCount ?? 0,
    isFinal: bar.isFinal ?? false,
  };
}

async function readCandles(ctx: QueryContext, rawInput: GetCandlesInput): Promise<GetCandlesOutput> {
  const input = getCandlesInput.parse(rawInput);
  const { symbol, interval, limit } = input;
  const to = input.to ?? ctx.nowMs();
  const from = input.from ?? Math.max(0, to - DEFAULT_SPAN_MS[interval]);
  // A defaulted bound can still make a bad pair (e.g. only `from`, far in the past).
  const problem = rangeProblem(interval, from, to);
  if (problem) throw new AppError("BAD_REQUEST", { message: `invalid ${problem.field}`, fields: { [problem.field]: [problem.message] } });
  const until = input.cursor !== undefined ? Math.min(to, input.cursor - 1) : to;

  // One more than the page, so a full page knows whether an older one exists.
  const candles = (await ctx.market.candleBars(symbol, interval, from, until, limit + 1)).map(candleOutput);

  if (candles.length === 0 && input.cursor === undefined) await assertSymbolExists(ctx, symbol);
  const hasMore = candles.length > limit;
  const pageRows = hasMore ? candles.slice(0, limit) : candles;
  return {
    symbol,
    interval,
    from,
    to,
    candles: pageRows,
    nextCursor: hasMore ? (pageRows[pageRows.length - 1]?.windowStart ?? null) : null,
  };
}

/** Candles of one symbol and interval in a range; equal concurrent reads are shared (shared-read.ts). */
export const getCandles = sharedRead("candles.range", readCandles);
