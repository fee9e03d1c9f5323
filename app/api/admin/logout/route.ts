import { handleLogout } from "../../../../server/admin/login-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** POST /api/admin/logout — revokes the session server-side and clears the cookie. */
export const POST = handleLogout;
