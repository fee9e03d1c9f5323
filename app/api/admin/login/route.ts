import { handleLogin } from "../../../../server/admin/login-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** POST /api/admin/login — `{ token }` (JSON); sets the session cookie, 401 on a wrong token, 429 (Retry-After) while the client address is locked out. */
export const POST = handleLogin;
