// Job schedulers of the batch queue: a daily rollup, a daily data-quality run and a daily
// volatility training, each of the previous UTC day ("previous" resolves against the scheduled
// time). Upserting is idempotent.
import type { Queue } from "bullmq";
import {
  BATCH_JOB_OPTIONS,
  BATCH_JOBS,
  type ArchivePayload,
  type DataQualityPayload,
  type RollupPayload,
  type TrainVolatilityPayload,
} from "../../core/batch-jobs";

export const BATCH_SCHEDULERS = {
  rollup: "daily-rollup",
  dataQuality: "daily-data-quality",
  trainVolatility: "daily-train-volatility",
  archive: "daily-archive",
} as const;

export interface ScheduleSettings {
  rollupCron: string;
  dataQualityCron: string;
  /** Optional so callers that predate it keep working; absent = no training scheduler upserted. */
  trainVolatilityCron?: string;
  /** Optional likewise; absent = no archive scheduler upserted. */
  archiveCron?: string;
}

/** Creates or updates the daily schedulers of the batch queue. */
export async function upsertBatchSchedules(queue: Queue, settings: ScheduleSettings): Promise<void> {
  const opts = { ...BATCH_JOB_OPTIONS, backoff: { ...BATCH_JOB_OPTIONS.backoff } };
  const rollup: RollupPayload = { day: "previous" };
  const dataQuality: DataQualityPayload = { day: "previous" };
  await queue.upsertJobScheduler(
    BATCH_SCHEDULERS.rollup,
    { pattern: settings.rollupCron, tz: "UTC" },
    { name: BATCH_JOBS.rollup, data: rollup, opts },
  );
  await queue.upsertJobScheduler(
    BATCH_SCHEDULERS.dataQuality,
    { pattern: settings.dataQualityCron, tz: "UTC" },
    { name: BATCH_JOBS.dataQuality, data: dataQuality, opts },
  );
  if (settings.trainVolatilityCron !== undefined) {
    // Every listed symbol on its daily candles through the previous day (after the rollup wrote it).
    const train: TrainVolatilityPayload = { asOf: "previous" };
    await queue.upsertJobScheduler(
      BATCH_SCHEDULERS.trainVolatility,
      { pattern: settings.trainVolatilityCron, tz: "UTC" },
      { name: BATCH_JOBS.trainVolatility, data: train, opts },
    );
  }
  if (settings.archiveCron !== undefined) {
    // Every symbol seen the previous day, trades and quotes; run after the day's late ticks are in.
    const archive: ArchivePayload = { day: "previous" };
    await queue.upsertJobScheduler(
      BATCH_SCHEDULERS.archive,
      { pattern: settings.archiveCron, tz: "UTC" },
      { name: BATCH_JOBS.archive, data: archive, opts },
    );
  }
}
