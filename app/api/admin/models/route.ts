import { getAdminContext } from "../../../../server/admin/admin-context";
import { adminGet } from "../../../../server/admin/http";
import { listVolModels } from "../../../../server/admin/list-vol-models";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/models — every symbol with its newest volatility model version. */
export const GET = adminGet(async () => listVolModels(await getAdminContext().db()));
