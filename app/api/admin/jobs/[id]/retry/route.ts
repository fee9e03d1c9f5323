import { getAdminContext } from "../../../../../../server/admin/admin-context";
import { adminMutation } from "../../../../../../server/admin/http";
import { retryJob } from "../../../../../../server/admin/jobs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** POST /api/admin/jobs/:id/retry — retries a failed job. */
export const POST = adminMutation((_body, { id = "" }) => retryJob(getAdminContext(), id));
