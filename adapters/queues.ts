// BullMQ factories: queue names declared once; the caller passes the connection so tests can use
// their own prefix.
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Processor, type QueueOptions, type WorkerOptions } from "bullmq";

export const QUEUES = {
  batch: "batch",
} as const;

export interface QueueContext {
  connection: ConnectionOptions;
  /** Key prefix in Redis; tests pass a random one. */
  prefix?: string;
}

export function createQueue<Data = unknown, Result = unknown>(
  name: string,
  ctx: QueueContext,
  options: Omit<QueueOptions, "connection" | "prefix"> = {},
): Queue<Data, Result> {
  return new Queue<Data, Result>(name, { ...options, connection: ctx.connection, prefix: ctx.prefix ?? "tickstream" });
}

/** How long a cancellation request is kept for a job that never checks it. */
const CANCEL_TTL_S = 7 * 24 * 3600;

/** Redis key whose presence asks the active job `jobId` of queue `name` to stop. */
export function cancelKey(name: string, jobId: string, prefix = "tickstream"): string {
  return `${prefix}:${name}:cancel:${jobId}`;
}

export type CancelOutcome = "removed" | "requested" | "finished" | "not-found";

/**
 * Cancels a job: a job not yet started (waiting, delayed, prioritized) is removed; an active one
 * gets a cancellation flag in Redis that its processor checks between units of work (it then fails
 * without retry); a finished one is left as it is. `redis` is any connection to the queue's Redis.
 */
export async function cancelJob(
  queue: Queue,
  jobId: string,
  redis: { set(key: string, value: string, ex: "EX", seconds: number): Promise<unknown> },
): Promise<CancelOutcome> {
  const job = await queue.getJob(jobId);
  if (!job) return "not-found";
  const state = await job.getState();
  if (state === "completed" || state === "failed") return "finished";
  if (state !== "active") {
    try {
      await job.remove();
      return "removed";
    } catch {
      // Picked up between getState and remove (a locked job cannot be removed): ask it to stop.
    }
  }
  await redis.set(cancelKey(queue.name, jobId, queue.opts.prefix), String(Date.now()), "EX", CANCEL_TTL_S);
  return "requested";
}

/** True when a cancellation of `jobId` was requested (see cancelJob). */
export async function isCancelRequested(
  redis: { exists(key: string): Promise<number> },
  name: string,
  jobId: string,
  prefix = "tickstream",
): Promise<boolean> {
  return (await redis.exists(cancelKey(name, jobId, prefix))) > 0;
}

export function createQueueEvents(name: string, ctx: QueueContext): QueueEvents {
  return new QueueEvents(name, { connection: ctx.connection, prefix: ctx.prefix ?? "tickstream" });
}

export function createWorker<Data = unknown, Result = unknown>(
  name: string,
  processor: Processor<Data, Result>,
  ctx: QueueContext,
  options: Omit<WorkerOptions, "connection" | "prefix"> = {},
): Worker<Data, Result> {
  return new Worker<Data, Result>(name, processor, {
    ...options,
    connection: ctx.connection,
    prefix: ctx.prefix ?? "tickstream",
  });
}
