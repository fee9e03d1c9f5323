import { getAdminContext } from "../../../../server/admin/admin-context";
import { getStreamHealth } from "../../../../server/admin/get-stream-health";
import { adminGet } from "../../../../server/admin/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/stream — the stream group's members, lag per partition, ticks/s, DLQ size. */
export const GET = adminGet(() => getStreamHealth(getAdminContext()));
