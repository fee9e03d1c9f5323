// Payloads of the jobs on the `batch` queue (small, zod-validated, ids not data) and the default
// job options every producer uses: 3 attempts with exponential backoff, bounded job history.
import { z } from "zod";
import { symbolSchema } from "./schemas";

export const BATCH_JOBS = { rollup: "rollup", dataQuality: "data-quality" } as const;
export type BatchJobName = (typeof BATCH_JOBS)[keyof typeof BATCH_JOBS];

/** A UTC day "YYYY-MM-DD", or "previous": the UTC day before the job's scheduled time (for schedulers). */
export const batchDaySchema = z.union([
  z.literal("previous"),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), "not a calendar day"),
]);

export const rollupPayloadSchema = z.strictObject({
  /** Omitted: every symbol seen that day. */
  symbol: symbolSchema.optional(),
  day: batchDaySchema,
  /** Intraday candles the 1d candle is merged from. */
  source: z.enum(["1h", "1m"]).default("1h"),
});
export type RollupPayload = z.input<typeof rollupPayloadSchema>;

export const dataQualityPayloadSchema = z.strictObject({
  day: batchDaySchema,
  /** Omitted: every symbol seen that day. */
  symbols: z.array(symbolSchema).min(1).max(10_000).optional(),
  gapThresholdMs: z.number().int().positive().optional(),
  outlierSpreads: z.number().positive().optional(),
});
export type DataQualityPayload = z.input<typeof dataQualityPayloadSchema>;

export const BATCH_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 5_000 },
} as const;

/** What a rollup job returns. */
export interface RollupResult {
  day: string;
  symbols: number;
  written: number;
}

/** What a data-quality job returns. */
export interface DataQualityResult {
  day: string;
  symbols: number;
  reports: number;
}
