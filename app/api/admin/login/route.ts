import { handleLogin } from "../../../../server/admin/login-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** POST /api/admin/login — `{ token }` (JSON); sets the session cookie, 401 on a wrong token. */
export const POST = handleLogin;
