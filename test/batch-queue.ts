// The batch queue of an integration test: a queue under its own prefix, its events, and in-process
// batch workers on it with the deps every test shares. Everything it opens is pushed on `closers`.
import type { Queue, QueueEvents, Worker } from "bullmq";
import type { CassandraStore } from "../adapters/cassandra-store";
import { createQueue, createQueueEvents, isCancelRequested, QUEUES } from "../adapters/queues";
import type { Redis } from "../adapters/redis";
import { BATCH_JOB_OPTIONS } from "../core/batch-jobs";
import type { BatchResult } from "../workers/batch/batch-processor";
import type { BatchDeps } from "../workers/batch/job-context";
import { startBatchWorker, type BatchWorkerSettings } from "../workers/batch/start-batch-worker";
import { testLog, uniqueName } from "./helpers";

export type Closer = () => Promise<unknown>;

export interface BatchQueue {
  prefix: string;
  queue: Queue;
  events: QueueEvents;
  /** A worker on the queue; `deps` and `settings` add to (or replace) the queue's own. */
  startWorker: (deps?: Partial<BatchDeps>, settings?: Partial<BatchWorkerSettings>) => Worker<unknown, BatchResult>;
}

export interface BatchQueueOptions {
  redis: Redis;
  store: CassandraStore;
  closers: Closer[];
  /** Deps every worker of this queue gets (an archive target, the model store). */
  deps?: Partial<BatchDeps>;
  /** The product's retry backoff instead of a 50 ms one (fault tests wait for servers to return). */
  productBackoff?: boolean;
}

export async function openBatchQueue({ redis, store, closers, deps = {}, productBackoff = false }: BatchQueueOptions): Promise<BatchQueue> {
  const prefix = uniqueName("testq");
  const ctx = { connection: redis, prefix };
  const defaultJobOptions = productBackoff ? BATCH_JOB_OPTIONS : { ...BATCH_JOB_OPTIONS, backoff: { type: "fixed", delay: 50 } };
  const queue = createQueue(QUEUES.batch, ctx, { defaultJobOptions });
  const events = createQueueEvents(QUEUES.batch, ctx);
  closers.push(
    () => queue.obliterate({ force: true }).then(() => queue.close()),
    () => events.close(),
  );
  await events.waitUntilReady();
  const startWorker: BatchQueue["startWorker"] = (workerDeps = {}, settings = {}) => {
    const worker = startBatchWorker(
      ctx,
      {
        store,
        log: testLog,
        isCancelled: (jobId) => isCancelRequested(redis, QUEUES.batch, jobId, prefix),
        nowMs: Date.now,
        dataQuality: { gapThresholdMs: 60_000, outlierSpreads: 3, quoteToleranceMs: 60_000 },
        ...deps,
        ...workerDeps,
      },
      { concurrency: 1, lockDurationMs: 30_000, stalledIntervalMs: 30_000, ...settings },
    );
    closers.push(() => worker.close(true));
    return worker;
  };
  return { prefix, queue, events, startWorker };
}
