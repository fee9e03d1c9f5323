// The console's calls to /api/admin: JSON in and out, the CSRF header on state changes, and a 401
// (session expired) sends the browser back to the login page.
import type { FieldErrors } from "../../../server/errors";

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fields: FieldErrors | undefined,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

async function call<T>(path: string, init: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, cache: "no-store", credentials: "same-origin" });
  if (response.status === 401 && !path.endsWith("/login")) {
    window.location.assign(`/admin/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
  const body = (await response.json().catch(() => null)) as ({ error?: { message?: string; fields?: FieldErrors } } & T) | null;
  if (!response.ok) {
    throw new AdminApiError(body?.error?.message ?? `HTTP ${response.status}`, response.status, body?.error?.fields);
  }
  return body as T;
}

export function adminGet<T>(path: string): Promise<T> {
  return call<T>(path, { method: "GET" });
}

/** POST (or DELETE) with a JSON body and the console's CSRF header. */
export function adminSend<T>(path: string, body: unknown = {}, method: "POST" | "DELETE" = "POST"): Promise<T> {
  return call<T>(path, {
    method,
    headers: { "content-type": "application/json", "x-tickstream-admin": "1" },
    ...(method === "POST" ? { body: JSON.stringify(body) } : {}),
  });
}
