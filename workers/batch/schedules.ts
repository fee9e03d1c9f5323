// Job schedulers of the batch queue: a daily rollup and a daily data-quality run, each of the
// previous UTC day (day "previous" resolves against the scheduled time). Upserting is idempotent.
import type { Queue } from "bullmq";
import { BATCH_JOB_OPTIONS, BATCH_JOBS, type DataQualityPayload, type RollupPayload } from "../../core/batch-jobs";

export const BATCH_SCHEDULERS = { rollup: "daily-rollup", dataQuality: "daily-data-quality" } as const;

export interface ScheduleSettings {
  rollupCron: string;
  dataQualityCron: string;
}

/** Creates or updates the daily schedulers of the batch queue. */
export async function upsertBatchSchedules(queue: Queue, settings: ScheduleSettings): Promise<void> {
  const opts = { ...BATCH_JOB_OPTIONS, backoff: { ...BATCH_JOB_OPTIONS.backoff } };
  const rollup: RollupPayload = { day: "previous" };
  const dataQuality: DataQualityPayload = { day: "previous" };
  await queue.upsertJobScheduler(BATCH_SCHEDULERS.rollup, { pattern: settings.rollupCron, tz: "UTC" }, { name: BATCH_JOBS.rollup, data: rollup, opts });
  await queue.upsertJobScheduler(
    BATCH_SCHEDULERS.dataQuality,
    { pattern: settings.dataQualityCron, tz: "UTC" },
    { name: BATCH_JOBS.dataQuality, data: dataQuality, opts },
  );
}
