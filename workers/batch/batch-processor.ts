// The batch queue's processor: dispatches a job by name to its runner.
import { UnrecoverableError, type Processor } from "bullmq";
import { BATCH_JOBS, type DataQualityResult, type RollupResult } from "../../core/batch-jobs";
import type { BatchDeps } from "./job-context";
import { runDataQuality } from "./run-data-quality";
import { runRollup } from "./run-rollup";

export type BatchResult = RollupResult | DataQualityResult;

/** The processor of the `batch` queue. */
export function createBatchProcessor(deps: BatchDeps): Processor<unknown, BatchResult> {
  return async (job) => {
    switch (job.name) {
      case BATCH_JOBS.rollup:
        return runRollup(deps, job);
      case BATCH_JOBS.dataQuality:
        return runDataQuality(deps, job);
      default:
        throw new UnrecoverableError(`unknown batch job "${job.name}"`);
    }
  };
}
