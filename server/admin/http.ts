// Route handlers of /api/admin: the session is checked before anything else (401 JSON), state
// changes pass the CSRF check and read a JSON body, and any error leaves as the AppError JSON body.
import { getConfig } from "../../adapters/config";
import { createLogger } from "../../adapters/logger";
import { readJsonBody } from "../http/read-body";
import { errorResponse } from "../rest/handler";
import { requireAdmin } from "./admin-auth";
import { getAdminContext } from "./admin-context";
import { checkCsrf, CSRF_HEADER } from "./csrf";

const log = createLogger("admin-api");

type Params = Record<string, string | string[] | undefined>;
export interface AdminRouteContext {
  params: Promise<Params | undefined>;
}

const NO_STORE = { "cache-control": "no-store" };

/** The host the browser sent the request to (behind a proxy, the one it forwarded). */
function requestHost(request: Request): string | null {
  return request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() ?? request.headers.get("host") ?? new URL(request.url).host;
}

/** Whether the browser reached us over https (directly or through a proxy). */
export function isHttps(request: Request): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded === "https" || new URL(request.url).protocol === "https:";
}

/** The CSRF check of a state-changing request; a refusal is a JSON error response. */
export function csrfRefusal(request: Request): Response | null {
  const verdict = checkCsrf({
    method: request.method,
    contentType: request.headers.get("content-type"),
    origin: request.headers.get("origin"),
    host: requestHost(request),
    csrfHeader: request.headers.get(CSRF_HEADER),
  });
  if (verdict.ok) return null;
  log.warn(
    { method: request.method, origin: request.headers.get("origin"), reason: verdict.reason },
    "admin request refused by the CSRF check",
  );
  const code = verdict.status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : verdict.status === 405 ? "METHOD_NOT_ALLOWED" : "FORBIDDEN";
  return Response.json({ error: { code, message: verdict.reason, retriable: false } }, { status: verdict.status, headers: NO_STORE });
}

// Next hands path values already decoded once (a job id may hold ":" or "%").
function stringParams(params: Params | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {})) if (typeof value === "string") out[key] = value;
  return out;
}

/** A GET handler: session, then `run(query, params)` → 200 JSON. */
export function adminGet(run: (query: Record<string, string>, params: Record<string, string>) => Promise<unknown>) {
  return async (request: Request, context: AdminRouteContext): Promise<Response> => {
    try {
      await requireAdmin(getAdminContext(), request.headers);
      const query: Record<string, string> = {};
      for (const [key, value] of new URL(request.url).searchParams) if (value !== "") query[key] = value;
      return Response.json(await run(query, stringParams(await context.params)), { headers: NO_STORE });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** A POST or DELETE handler: session, CSRF check, JSON body (POST), then `run(body, params)` → JSON with `status`. */
export function adminMutation(run: (body: unknown, params: Record<string, string>) => Promise<unknown>, status = 200) {
  return async (request: Request, context: AdminRouteContext): Promise<Response> => {
    try {
      await requireAdmin(getAdminContext(), request.headers);
      const refusal = csrfRefusal(request);
      if (refusal) return refusal;
      const body = request.method === "POST" ? await readJsonBody(request, getConfig().ingest.maxBodyBytes) : undefined;
      return Response.json(await run(body, stringParams(await context.params)), { status, headers: NO_STORE });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
