// The batch queue as the console sees it: counts by state, a page of jobs per state, one job with
// its logs, the schedulers. Reads are bounded (pages of at most MAX_PAGE jobs, MAX_LOG_LINES lines).
import { z } from "zod";
import { AppError } from "../errors";
import type { AdminContext } from "./admin-context";
import { JOB_STATES, summarizeJob, type JobListState, type JobSummary } from "./job-view";

export const MAX_PAGE = 100;
export const MAX_LOG_LINES = 200;

export type JobCounts = Record<JobListState, number>;

export async function getJobCounts(ctx: AdminContext): Promise<JobCounts> {
  const counts = await ctx.queue.getJobCounts(...JOB_STATES);
  const result = {} as JobCounts;
  for (const state of JOB_STATES) result[state] = counts[state] ?? 0;
  return result;
}

export const listJobsInput = z.object({
  state: z.enum(JOB_STATES).default("active"),
  start: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(25),
});

export interface JobPage {
  state: JobListState;
  start: number;
  total: number;
  jobs: JobSummary[];
}

/** Newest first. */
export async function listJobs(ctx: AdminContext, input: z.input<typeof listJobsInput>): Promise<JobPage> {
  const { state, start, limit } = listJobsInput.parse(input);
  const [jobs, total] = await Promise.all([
    ctx.queue.getJobs([state], start, start + limit - 1, false),
    ctx.queue.getJobCountByTypes(state),
  ]);
  const now = ctx.nowMs();
  // A job can be removed between the two reads (a listing entry without its hash): skip it.
  return { state, start, total, jobs: jobs.filter(Boolean).map((job) => summarizeJob(job, state, now)) };
}

export interface JobDetail extends JobSummary {
  returnValue: unknown;
  stacktrace: string[];
  logs: string[];
  logCount: number;
}

async function findJob(ctx: AdminContext, id: string) {
  const job = await ctx.queue.getJob(id);
  if (!job) throw new AppError("NOT_FOUND", { message: `no job ${id} in the ${ctx.queue.name} queue`, retriable: false });
  return job;
}

/** One job with its newest MAX_LOG_LINES log lines (oldest of them first). */
export async function getJobDetail(ctx: AdminContext, id: string): Promise<JobDetail> {
  const job = await findJob(ctx, id);
  const [state, logs] = await Promise.all([job.getState(), ctx.queue.getJobLogs(id, 0, MAX_LOG_LINES - 1, false)]);
  return {
    ...summarizeJob(job, state, ctx.nowMs()),
    returnValue: (job.returnvalue as unknown) ?? null,
    stacktrace: (job.stacktrace ?? []).slice(-5),
    logs: [...logs.logs].reverse(),
    logCount: logs.count,
  };
}

/** Retries a failed job (it goes back to waiting with its attempts reset). */
export async function retryJob(ctx: AdminContext, id: string): Promise<{ id: string; state: string }> {
  const job = await findJob(ctx, id);
  const state = await job.getState();
  if (state !== "failed")
    throw new AppError("BAD_REQUEST", { message: `job ${id} is ${state}; only a failed job can be retried`, retriable: false });
  await job.retry("failed");
  ctx.log.info({ jobId: id, name: job.name }, "admin retried a job");
  return { id, state: await job.getState() };
}

/** Removes a job that is not running (an active one must be cancelled first). */
export async function removeJob(ctx: AdminContext, id: string): Promise<{ id: string; removed: true }> {
  const job = await findJob(ctx, id);
  const state = await job.getState();
  if (state === "active") throw new AppError("BAD_REQUEST", { message: `job ${id} is running; cancel it first`, retriable: false });
  try {
    await job.remove();
  } catch (error) {
    // Picked up by a worker between getState and remove: its lock refuses the removal.
    throw new AppError("BAD_REQUEST", {
      message: `job ${id} could not be removed (it may have just started): ${error instanceof Error ? error.message : String(error)}`,
      retriable: true,
      cause: error,
    });
  }
  ctx.log.info({ jobId: id, name: job.name, state }, "admin removed a job");
  return { id, removed: true };
}

export interface ScheduleView {
  key: string;
  name: string;
  pattern: string | null;
  everyMs: number | null;
  tz: string | null;
  nextAtMs: number | null;
  iterationCount: number | null;
  data: unknown;
}

/** The queue's job schedulers (at most MAX_PAGE). */
export async function listSchedules(ctx: AdminContext): Promise<ScheduleView[]> {
  const schedulers = await ctx.queue.getJobSchedulers(0, MAX_PAGE - 1, true);
  return schedulers.map((s) => ({
    key: s.key,
    name: s.name,
    pattern: s.pattern ?? null,
    everyMs: s.every ?? null,
    tz: s.tz ?? null,
    nextAtMs: s.next ?? null,
    iterationCount: s.iterationCount ?? null,
    data: (s.template?.data as unknown) ?? null,
  }));
}
