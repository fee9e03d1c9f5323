// POST /api/admin/login and /api/admin/logout. Login is CSRF-checked too (no one may log a
// browser in to a session of theirs), is throttled per client address (429 with Retry-After), then
// trades the token for the session cookie. Logout revokes the session server-side, then clears it.
import { z } from "zod";
import { DEV_ADMIN_TOKEN, getConfig } from "../../adapters/config";
import { createLogger } from "../../adapters/logger";
import { AppError, errorBody } from "../errors";
import { requestClientKey } from "../http/client-address";
import { readJsonBody } from "../http/read-body";
import { errorResponse } from "../rest/handler";
import { login, logout } from "./admin-auth";
import { getAdminContext } from "./admin-context";
import { csrfRefusal, isHttps } from "./http";
import { readCookie, SESSION_COOKIE, sessionCookie } from "./session";

const log = createLogger("admin-auth");
const loginBody = z.object({ token: z.string().max(1_024) });
const NO_STORE = { "cache-control": "no-store" };

export async function handleLogin(request: Request): Promise<Response> {
  try {
    const refusal = csrfRefusal(request);
    if (refusal) return refusal;
    const { token } = loginBody.parse(await readJsonBody(request, 16_384));
    const client = requestClientKey(request.headers);
    const result = await login(getAdminContext(), token, client);
    switch (result.outcome) {
      case "locked-out": {
        const retryAfterS = Math.max(1, Math.ceil(result.retryAfterMs / 1_000));
        log.warn({ client, retryAfterS }, "admin login refused: too many failed logins from this client");
        const error = new AppError("TOO_MANY_REQUESTS", {
          message: `too many failed logins from this address; retry in ${retryAfterS} s`,
          retriable: true,
        });
        return Response.json(errorBody(error), { status: 429, headers: { ...NO_STORE, "retry-after": String(retryAfterS) } });
      }
      case "wrong-token":
        log.warn({ client, attempts: result.attempts }, "admin login with a wrong token");
        throw new AppError("UNAUTHORIZED", { message: "wrong admin token", retriable: false });
      case "logged-in":
        log.info({ client }, "admin logged in");
        return Response.json(
          { ok: true, expiresInMs: result.maxAgeMs },
          { headers: { ...NO_STORE, "set-cookie": sessionCookie(result.value, { secure: isHttps(request), maxAgeMs: result.maxAgeMs }) } },
        );
    }
  } catch (error) {
    return errorResponse(error);
  }
}

export async function handleLogout(request: Request): Promise<Response> {
  try {
    const refusal = csrfRefusal(request);
    if (refusal) return refusal;
    const revoked = await logout(getAdminContext(), readCookie(request.headers.get("cookie"), SESSION_COOKIE));
    if (revoked) log.info({ client: requestClientKey(request.headers) }, "admin logged out: session revoked");
    return Response.json({ ok: true }, { headers: { ...NO_STORE, "set-cookie": sessionCookie(null, { secure: isHttps(request) }) } });
  } catch (error) {
    return errorResponse(error);
  }
}

/** Where this process's admin token comes from (a hint on the login page; never the token). */
export function adminTokenSource(): "env" | "dev-default" | "generated-file" {
  const config = getConfig();
  if (config.admin.token === undefined) return "generated-file";
  return config.env !== "production" && config.admin.token === DEV_ADMIN_TOKEN ? "dev-default" : "env";
}
