// CSRF defence of state-changing admin calls, on top of the SameSite=Strict cookie: only POST or
// DELETE, only with a JSON Content-Type (a cross-site HTML form cannot send one, and fetch cannot
// without a CORS preflight that is never granted), and an Origin naming this host (or, from a
// client that sends no Origin, the custom header, which a cross-site page cannot add). Pure.

/** Header a non-browser client may send instead of Origin. */
export const CSRF_HEADER = "x-tickstream-admin";

export type CsrfVerdict = { ok: true } | { ok: false; status: 403 | 405 | 415; reason: string };

export interface CsrfRequest {
  method: string;
  contentType: string | null;
  origin: string | null;
  /** The host the request was sent to (Host, or X-Forwarded-Host behind a proxy). */
  host: string | null;
  csrfHeader: string | null;
}

function isJson(contentType: string | null): boolean {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  return mediaType === "application/json";
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

export function checkCsrf(request: CsrfRequest): CsrfVerdict {
  const method = request.method.toUpperCase();
  if (method !== "POST" && method !== "DELETE")
    return { ok: false, status: 405, reason: `${method} cannot change state; use POST or DELETE` };
  if (!isJson(request.contentType)) return { ok: false, status: 415, reason: "send Content-Type: application/json" };
  // "null" is what a sandboxed or privacy-redirected page sends: never this site.
  if (request.origin !== null && request.origin !== "") {
    const host = hostOf(request.origin);
    if (host === undefined || request.host === null || host !== request.host.toLowerCase()) {
      return { ok: false, status: 403, reason: `cross-origin request from ${request.origin} refused` };
    }
    return { ok: true };
  }
  if (request.csrfHeader === "1") return { ok: true };
  return { ok: false, status: 403, reason: `an Origin header or "${CSRF_HEADER}: 1" is required` };
}
