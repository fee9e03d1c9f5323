import { getAdminContext } from "../../../../server/admin/admin-context";
import { getDataQuality } from "../../../../server/admin/get-data-quality";
import { adminGet } from "../../../../server/admin/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/data-quality[?day=YYYY-MM-DD] — the day's data-quality reports (default: yesterday UTC). */
export const GET = adminGet((query) => getDataQuality(getAdminContext(), query));
