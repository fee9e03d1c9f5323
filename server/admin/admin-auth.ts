// Who may use the console: a request carrying a valid session cookie. Login trades the admin token
// for such a cookie; every admin API handler and page checks it server-side.
import { AppError } from "../errors";
import { getAdminToken } from "./admin-token";
import { readCookie, SESSION_COOKIE, SESSION_TTL_MS, sessionKey, signSession, tokenMatches, verifySession } from "./session";

let keyFor: { token: string; key: Buffer } | undefined;

function currentKey(): Buffer {
  const token = getAdminToken();
  if (keyFor?.token !== token) keyFor = { token, key: sessionKey(token) };
  return keyFor.key;
}

/** Whether a session cookie value is valid now. */
export function isValidSession(value: string | undefined | null, nowMs = Date.now()): boolean {
  return verifySession(currentKey(), value, nowMs);
}

/** Whether the request's Cookie header carries a valid session. */
export function isAdminRequest(headers: Headers, nowMs = Date.now()): boolean {
  return isValidSession(readCookie(headers.get("cookie"), SESSION_COOKIE), nowMs);
}

/** Throws UNAUTHORIZED (401) unless the request carries a valid session. */
export function requireAdmin(headers: Headers, nowMs = Date.now()): void {
  if (!isAdminRequest(headers, nowMs)) throw new AppError("UNAUTHORIZED", { message: "log in to the admin console first", retriable: false });
}

/** A new session value when `token` is the admin token; UNAUTHORIZED otherwise. */
export function login(token: unknown, nowMs = Date.now()): { value: string; maxAgeMs: number } {
  if (!tokenMatches(getAdminToken(), token)) throw new AppError("UNAUTHORIZED", { message: "wrong admin token", retriable: false });
  return { value: signSession(currentKey(), nowMs + SESSION_TTL_MS), maxAgeMs: SESSION_TTL_MS };
}
