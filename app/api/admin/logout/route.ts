import { handleLogout } from "../../../../server/admin/login-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** POST /api/admin/logout — clears the session cookie. */
export function POST(request: Request): Response {
  return handleLogout(request);
}
