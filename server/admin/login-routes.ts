// POST /api/admin/login and /api/admin/logout. Login is CSRF-checked too (no one may log a
// browser in to a session of theirs), then trades the token for the session cookie.
import { z } from "zod";
import { DEV_ADMIN_TOKEN, getConfig } from "../../adapters/config";
import { createLogger } from "../../adapters/logger";
import { readJsonBody } from "../http/read-body";
import { errorResponse } from "../rest/handler";
import { login } from "./admin-auth";
import { csrfRefusal, isHttps } from "./http";
import { sessionCookie } from "./session";

const log = createLogger("admin-auth");
const loginBody = z.object({ token: z.string().max(1_024) });

export async function handleLogin(request: Request): Promise<Response> {
  try {
    const refusal = csrfRefusal(request);
    if (refusal) return refusal;
    const { token } = loginBody.parse(await readJsonBody(request, 16_384));
    let session: ReturnType<typeof login>;
    try {
      session = login(token);
    } catch (error) {
      log.warn({ forwardedFor: request.headers.get("x-forwarded-for") }, "admin login with a wrong token");
      throw error;
    }
    log.info("admin logged in");
    return Response.json(
      { ok: true, expiresInMs: session.maxAgeMs },
      { headers: { "cache-control": "no-store", "set-cookie": sessionCookie(session.value, { secure: isHttps(request), maxAgeMs: session.maxAgeMs }) } },
    );
  } catch (error) {
    return errorResponse(error);
  }
}

export function handleLogout(request: Request): Response {
  const refusal = csrfRefusal(request);
  if (refusal) return refusal;
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store", "set-cookie": sessionCookie(null, { secure: isHttps(request) }) } });
}

/** Where this process's admin token comes from (a hint on the login page; never the token). */
export function adminTokenSource(): "env" | "dev-default" | "generated-file" {
  const config = getConfig();
  if (config.admin.token === undefined) return "generated-file";
  return config.env !== "production" && config.admin.token === DEV_ADMIN_TOKEN ? "dev-default" : "env";
}
