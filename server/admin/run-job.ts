// "Run now" and cancel: a job enqueued by the console is validated here with the payload schema
// the worker uses, so a bad parameter is a 400 naming its field instead of a job that fails.
import { z } from "zod";
import { cancelJob, type CancelOutcome } from "../../adapters/queues";
import { BATCH_PAYLOAD_SCHEMAS } from "../../core/batch-jobs";
import { AppError, fromZodError } from "../errors";
import type { AdminContext } from "./admin-context";
import { BATCH_JOB_NAMES } from "./job-view";

export const runJobInput = z.strictObject({
  name: z.enum(BATCH_JOB_NAMES),
  data: z.unknown().default({}),
});

/** Validates `input` (fields are named `data.<path>`) and enqueues the job. */
export async function runJob(ctx: AdminContext, input: unknown): Promise<{ id: string; name: string; data: unknown }> {
  const request = runJobInput.safeParse(input);
  if (!request.success) throw fromZodError(request.error);
  const { name, data } = request.data;
  const parsed = BATCH_PAYLOAD_SCHEMAS[name].safeParse(data);
  if (!parsed.success) {
    throw fromZodError(new z.ZodError(parsed.error.issues.map((issue) => ({ ...issue, path: ["data", ...issue.path] }))));
  }
  const job = await ctx.queue.add(name, parsed.data);
  ctx.log.info({ jobId: job.id, name, data: parsed.data }, "admin enqueued a job");
  return { id: job.id ?? "", name, data: parsed.data };
}

/** Cancels a job (see adapters/queues cancelJob): removed if not started, asked to stop if running. */
export async function cancelAdminJob(ctx: AdminContext, id: string): Promise<{ id: string; outcome: CancelOutcome }> {
  const outcome = await cancelJob(ctx.queue, id, ctx.redis);
  if (outcome === "not-found")
    throw new AppError("NOT_FOUND", { message: `no job ${id} in the ${ctx.queue.name} queue`, retriable: false });
  ctx.log.info({ jobId: id, outcome }, "admin cancelled a job");
  return { id, outcome };
}
