// Payloads of the jobs on the `batch` queue (small, zod-validated, ids not data) and the default
// job options every producer uses: 3 attempts with exponential backoff, bounded job history.
import { z } from "zod";
import { symbolSchema } from "./schemas";

export const BATCH_JOBS = {
  rollup: "rollup",
  dataQuality: "data-quality",
  archive: "archive",
  recompute: "recompute",
  trainVolatility: "train-volatility",
} as const;
export type BatchJobName = (typeof BATCH_JOBS)[keyof typeof BATCH_JOBS];

/** A UTC day "YYYY-MM-DD", or "previous": the UTC day before the job's scheduled time (for schedulers). */
export const batchDaySchema = z.union([
  z.literal("previous"),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .refine(
      (day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day),
      "not a calendar day",
    ),
]);

export const rollupPayloadSchema = z.strictObject({
  /** Omitted: every symbol seen that day. */
  symbol: symbolSchema.optional(),
  day: batchDaySchema,
  /** Intraday candles the 1d candle of a 24 h venue is merged from (a regular session's is always from 1m). */
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

/** Raw tick kinds kept in the HDFS archive. */
export const ARCHIVE_KINDS = ["trades", "quotes"] as const;
export type ArchiveKind = (typeof ARCHIVE_KINDS)[number];

export const archivePayloadSchema = z.strictObject({
  day: batchDaySchema,
  /** Omitted: every symbol seen that day. */
  symbols: z.array(symbolSchema).min(1).max(10_000).optional(),
  kinds: z
    .array(z.enum(ARCHIVE_KINDS))
    .min(1)
    .default([...ARCHIVE_KINDS]),
});
export type ArchivePayload = z.input<typeof archivePayloadSchema>;

/** A calendar day "YYYY-MM-DD" (no "previous": recompute is always asked for explicitly). */
export const calendarDaySchema = batchDaySchema.refine((day) => day !== "previous", "must be YYYY-MM-DD");

export const recomputePayloadSchema = z
  .strictObject({
    symbols: z.array(symbolSchema).min(1).max(10_000),
    /** First and last UTC day, inclusive. */
    from: calendarDaySchema,
    to: calendarDaySchema,
  })
  .refine((p) => p.from <= p.to, { message: "must not be after to", path: ["from"] })
  .refine((p) => Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`) <= 366 * 86_400_000, {
    message: "range is limited to 366 days",
    path: ["to"],
  });
export type RecomputePayload = z.input<typeof recomputePayloadSchema>;

export const trainVolatilityPayloadSchema = z.strictObject({
  /** Omitted: every symbol with enough daily candles. */
  symbols: z.array(symbolSchema).min(1).max(10_000).optional(),
  /** Last day of training data, inclusive; "previous" = the UTC day before the scheduled time. */
  asOf: batchDaySchema.default("previous"),
  /** Daily candles (trading days, not calendar days) the fit uses: the newest final ones through asOf. */
  lookbackDays: z.number().int().min(30).max(5_000).default(750),
  /**
   * Only symbols without any model yet: what the batch worker enqueues when it starts, so a new
   * symbol (a simulated one after an upgrade, say) gets its forecast without waiting for the nightly run.
   */
  missingOnly: z.boolean().default(false),
});
export type TrainVolatilityPayload = z.input<typeof trainVolatilityPayloadSchema>;

/** The payload schema of each batch job, for producers that validate before enqueueing (admin console). */
export const BATCH_PAYLOAD_SCHEMAS = {
  [BATCH_JOBS.rollup]: rollupPayloadSchema,
  [BATCH_JOBS.dataQuality]: dataQualityPayloadSchema,
  [BATCH_JOBS.archive]: archivePayloadSchema,
  [BATCH_JOBS.recompute]: recomputePayloadSchema,
  [BATCH_JOBS.trainVolatility]: trainVolatilityPayloadSchema,
} as const;

// Six attempts 5 s apart, doubling: a job waits out about 2.5 minutes of a server's outage (a
// DataNode restart, a Cassandra crash) before it fails for an operator to retry.
export const BATCH_JOB_OPTIONS = {
  attempts: 6,
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

/** What an archive job returns. */
export interface ArchiveResult {
  day: string;
  symbols: number;
  files: number;
  rows: number;
  bytes: number;
}

/** What a recompute job returns. */
export interface RecomputeResult {
  from: string;
  to: string;
  symbols: number;
  days: number;
  trades: number;
  candles: number;
  /** Symbol-days in the range without an archive (skipped). */
  missing: number;
}

/** What a volatility training job returns. */
export interface TrainVolatilityResult {
  asOf: string;
  symbols: number;
  trained: number;
  skipped: number;
}
