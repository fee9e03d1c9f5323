import { getAdminContext } from "../../../../../server/admin/admin-context";
import { adminGet, adminMutation } from "../../../../../server/admin/http";
import { getJobDetail, removeJob } from "../../../../../server/admin/jobs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/jobs/:id — the job with its latest log lines. */
export const GET = adminGet((_query, { id = "" }) => getJobDetail(getAdminContext(), id));

/** DELETE /api/admin/jobs/:id — removes a job that is not running. */
export const DELETE = adminMutation((_body, { id = "" }) => removeJob(getAdminContext(), id));
