import { getAdminContext } from "../../../../server/admin/admin-context";
import { adminGet } from "../../../../server/admin/http";
import { getJobCounts, listSchedules } from "../../../../server/admin/jobs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/queue — job counts by state and the job schedulers of the batch queue. */
export const GET = adminGet(async () => {
  const ctx = getAdminContext();
  const [counts, schedules] = await Promise.all([getJobCounts(ctx), listSchedules(ctx)]);
  return { queue: ctx.queue.name, counts, schedules };
});
