// The batch queue's processor: dispatches a job by name to its runner.
import { UnrecoverableError, type Processor } from "bullmq";
import {
  BATCH_JOBS,
  type ArchiveResult,
  type DataQualityResult,
  type RecomputeResult,
  type RollupResult,
  type TrainVolatilityResult,
} from "../../core/batch-jobs";
import type { BatchDeps } from "./job-context";
import { runArchive } from "./run-archive";
import { runDataQuality } from "./run-data-quality";
import { runRecompute } from "./run-recompute";
import { runRollup } from "./run-rollup";
import { runTrainVolatility } from "./run-train-volatility";

export type BatchResult = RollupResult | DataQualityResult | TrainVolatilityResult | ArchiveResult | RecomputeResult;

/** The processor of the `batch` queue. */
export function createBatchProcessor(deps: BatchDeps): Processor<unknown, BatchResult> {
  return async (job) => {
    switch (job.name) {
      case BATCH_JOBS.rollup:
        return runRollup(deps, job);
      case BATCH_JOBS.dataQuality:
        return runDataQuality(deps, job);
      case BATCH_JOBS.archive:
        return runArchive(deps, job);
      case BATCH_JOBS.recompute:
        return runRecompute(deps, job);
      case BATCH_JOBS.trainVolatility:
        return runTrainVolatility(deps, job, deps.volModels);
      default:
        throw new UnrecoverableError(`unknown batch job "${job.name}"`);
    }
  };
}
