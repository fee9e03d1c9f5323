import { getAdminContext } from "../../../../../server/admin/admin-context";
import { adminGet } from "../../../../../server/admin/http";
import { readLatestDlq } from "../../../../../server/admin/read-dlq";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/stream/dlq — the latest invalid messages with their reasons. */
export const GET = adminGet(() => readLatestDlq(getAdminContext()));
