import { getAdminContext } from "../../../../../../server/admin/admin-context";
import { adminMutation } from "../../../../../../server/admin/http";
import { cancelAdminJob } from "../../../../../../server/admin/run-job";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** POST /api/admin/jobs/:id/cancel — removes a job not yet started, or asks a running one to stop. */
export const POST = adminMutation((_body, { id = "" }) => cancelAdminJob(getAdminContext(), id));
