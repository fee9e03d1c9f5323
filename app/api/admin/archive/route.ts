import { getAdminContext } from "../../../../server/admin/admin-context";
import { browseArchive } from "../../../../server/admin/browse-archive";
import { adminGet } from "../../../../server/admin/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/archive?kind=trades[&day=YYYY-MM-DD[&symbol=SYM]] — days, symbols or files of the HDFS archive. */
export const GET = adminGet((query) => browseArchive(getAdminContext(), query));
