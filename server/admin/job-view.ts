// How the console shows a BullMQ job: the fields of its JSON shaped into one summary (state,
// percent, duration, attempts, error). Pure: the clock is passed in.
import { BATCH_JOBS, type BatchJobName } from "../../core/batch-jobs";

/** States a job list can be asked for, in the order the console shows them. */
export const JOB_STATES = ["active", "waiting", "prioritized", "delayed", "waiting-children", "failed", "completed"] as const;
export type JobListState = (typeof JOB_STATES)[number];

export const BATCH_JOB_NAMES = Object.values(BATCH_JOBS) as [BatchJobName, ...BatchJobName[]];

/** The fields of a BullMQ job the console reads (a subset of Job). */
export interface JobLike {
  id?: string | undefined;
  name: string;
  data: unknown;
  progress: unknown;
  attemptsMade: number;
  opts: { attempts?: number | undefined };
  timestamp: number;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
  failedReason?: string | undefined;
}

export interface JobSummary {
  id: string;
  name: string;
  state: string;
  /** 0-100; a job that reports no number shows 100 once completed, else 0. */
  progressPct: number;
  attemptsMade: number;
  maxAttempts: number;
  createdAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /** Run time so far (active) or in all (finished); null before it starts. */
  durationMs: number | null;
  error: string | null;
  data: unknown;
}

/** A job's progress as a percentage: numbers are clamped, `{ percent }` objects read, anything else 0. */
export function progressPercent(progress: unknown, state: string): number {
  let value: number | undefined;
  if (typeof progress === "number") value = progress;
  else if (typeof progress === "object" && progress !== null && typeof (progress as { percent?: unknown }).percent === "number") {
    value = (progress as { percent: number }).percent;
  }
  if (value === undefined || !Number.isFinite(value)) return state === "completed" ? 100 : 0;
  return Math.min(100, Math.max(0, Math.round(value)));
}

export function summarizeJob(job: JobLike, state: string, nowMs: number): JobSummary {
  const startedAtMs = job.processedOn ?? null;
  const finishedAtMs = job.finishedOn ?? null;
  const end = finishedAtMs ?? (state === "active" ? nowMs : null);
  return {
    id: job.id ?? "",
    name: job.name,
    state,
    progressPct: progressPercent(job.progress, state),
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    createdAtMs: job.timestamp,
    startedAtMs,
    finishedAtMs,
    durationMs: startedAtMs !== null && end !== null ? Math.max(0, end - startedAtMs) : null,
    error: job.failedReason ? job.failedReason : null,
    data: job.data,
  };
}
