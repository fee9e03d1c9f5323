// What every batch job shares: its dependencies, payload validation, day resolution, and the
// per-symbol loop with progress, log lines and the cancellation check.
import { UnrecoverableError, type Job } from "bullmq";
import type { ZodType } from "zod";
import type { CassandraStore } from "../../adapters/cassandra-store";
import type { WebHdfsClient } from "../../adapters/hdfs";
import type { Logger } from "../../adapters/logger";
import type { VolModelStore } from "../../adapters/vol-model-store";
import { previousDay } from "../../core/rollup";

export interface BatchDeps {
  store: CassandraStore;
  log: Logger;
  /** True when a cancellation of the job was requested (adapters/queues cancelJob). */
  isCancelled: (jobId: string) => Promise<boolean>;
  nowMs: () => number;
  /** vol_models access of the train-volatility job (that job fails without it). */
  volModels?: VolModelStore;
  /** HDFS of the archive and recompute jobs (they fail without it); root defaults to /tickstream (tests isolate it). */
  archive?: { hdfs: WebHdfsClient; root?: string };
  dataQuality: { gapThresholdMs: number; outlierSpreads: number; quoteToleranceMs: number };
  /** Awaited before each symbol (tests use it to stop a worker mid-job). */
  beforeSymbol?: (job: Job, symbol: string, index: number) => Promise<void>;
}

/** The payload of `job` parsed by `schema`; an invalid one fails the job without retries. */
export function parsePayload<T>(job: Job, schema: ZodType<T>): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`).join("; ");
    throw new UnrecoverableError(`invalid ${job.name} payload: ${issues}`);
  }
  return parsed.data;
}

/**
 * The job's UTC day. "previous" resolves against the time the job was scheduled for (not when it
 * runs, so a retry next morning still does the same day) and is written back into the job's data.
 */
export async function resolveDay(job: Job<{ day: string }>, day: string): Promise<string> {
  if (day !== "previous") return day;
  const resolved = previousDay(job.opts.prevMillis ?? job.timestamp);
  await job.updateData({ ...job.data, day: resolved });
  return resolved;
}

/**
 * Runs `work` for each symbol in order: checks for cancellation before each (a cancelled job fails
 * without retries), reports progress as the percentage of symbols done and logs a line per symbol.
 */
export async function forEachSymbol(
  deps: BatchDeps,
  job: Job,
  symbols: readonly string[],
  work: (symbol: string) => Promise<string>,
): Promise<void> {
  await job.log(`${symbols.length} symbol(s)`);
  for (const [i, symbol] of symbols.entries()) {
    if (job.id !== undefined && (await deps.isCancelled(job.id))) {
      await job.log(`cancelled after ${i} of ${symbols.length} symbol(s)`);
      throw new UnrecoverableError("cancelled");
    }
    await deps.beforeSymbol?.(job, symbol, i);
    const line = await work(symbol);
    await job.log(`${symbol}: ${line}`);
    await job.updateProgress(Math.round(((i + 1) / symbols.length) * 100));
  }
  if (symbols.length === 0) await job.updateProgress(100);
}
