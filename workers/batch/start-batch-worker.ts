// Starts a BullMQ worker on the `batch` queue with the batch processor; used by main.ts and tests.
import type { Worker } from "bullmq";
import { createWorker, QUEUES, type QueueContext } from "../../adapters/queues";
import { createBatchProcessor, type BatchResult } from "./batch-processor";
import type { BatchDeps } from "./job-context";

export interface BatchWorkerSettings {
  concurrency: number;
  /** Must outlast the longest pause in a job's event loop; the lock is renewed every half of it. */
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** A running batch worker; failures are logged here, the job keeps its error and stack trace. */
export function startBatchWorker(ctx: QueueContext, deps: BatchDeps, settings: BatchWorkerSettings): Worker<unknown, BatchResult> {
  const worker = createWorker<unknown, BatchResult>(QUEUES.batch, createBatchProcessor(deps), ctx, {
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    // One stall (a killed worker) puts the job back; a second one fails it rather than loop.
    maxStalledCount: 1,
  });
  worker.on("failed", (job, error) => {
    deps.log.error({ err: error, jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, data: job?.data }, "batch job failed");
  });
  worker.on("error", (error) => deps.log.error({ err: error }, "batch worker error"));
  worker.on("stalled", (jobId) => deps.log.warn({ jobId }, "batch job stalled; back in the queue"));
  return worker;
}
