// BullMQ factories: queue names declared once; the caller passes the connection so tests can use
// their own prefix.
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Processor, type WorkerOptions } from "bullmq";

export const QUEUES = {
  batch: "batch",
} as const;

export interface QueueContext {
  connection: ConnectionOptions;
  /** Key prefix in Redis; tests pass a random one. */
  prefix?: string;
}

export function createQueue<Data = unknown, Result = unknown>(name: string, ctx: QueueContext): Queue<Data, Result> {
  return new Queue<Data, Result>(name, { connection: ctx.connection, prefix: ctx.prefix ?? "tickstream" });
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
