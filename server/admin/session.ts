// The admin console's session: a cookie holding `v2.<session id>.<expiry ms>.<HMAC-SHA256 of it>`,
// signed with a key derived from the admin token (changing the token logs every session out); the
// id is what logout revokes server-side (admin-auth.ts). Pure: the clock, key and id are passed in.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "tickstream_admin";
/** How long a login lasts. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;

/** The HMAC key of sessions, derived from the admin token (never the token itself). */
export function sessionKey(token: string): Buffer {
  return createHash("sha256").update(`tickstream-admin-session\0${token}`, "utf8").digest();
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac("sha256", key).update(payload, "utf8").digest();
}

/** A signed session that has not expired: its id (the revocation handle) and expiry. */
export interface VerifiedSession {
  id: string;
  expiresAtMs: number;
}

/** Session ids: 16 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/** A session value with id `id` (22 base64url characters) that expires at `expiresAtMs`. */
export function signSession(key: Buffer, id: string, expiresAtMs: number): string {
  if (!SESSION_ID.test(id)) throw new Error("a session id is 22 base64url characters");
  const payload = `v2.${id}.${Math.floor(expiresAtMs)}`;
  return `${payload}.${mac(key, payload).toString("base64url")}`;
}

/** The session of `value` when it is signed with `key` and has not expired at `nowMs`; null otherwise. */
export function verifySession(key: Buffer, value: string | undefined | null, nowMs: number): VerifiedSession | null {
  if (!value) return null;
  // v1 cookies (no id, so not revocable) are refused: their holders log in again once.
  const match = /^(v2\.([A-Za-z0-9_-]{22})\.(\d{1,16}))\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return null;
  const [, payload = "", id = "", expiresText = "", signature = ""] = match;
  const presented = Buffer.from(signature, "base64url");
  const expected = mac(key, payload);
  // Compare the MAC in constant time before looking at the expiry, so timing reveals nothing.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return null;
  const expiresAtMs = Number(expiresText);
  return expiresAtMs > nowMs ? { id, expiresAtMs } : null;
}

/** Whether `presented` equals the admin token; digests make the comparison constant-time whatever the lengths. */
export function tokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== "string" || presented === "") return false;
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(expected), digest(presented));
}

/** A cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie header of a session (httpOnly, SameSite=Strict, Secure on https), or of its removal when value is null. */
export function sessionCookie(value: string | null, options: { secure: boolean; maxAgeMs?: number }): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict"];
  if (options.secure) attributes.push("Secure");
  if (value === null) return [`${SESSION_COOKIE}=`, ...attributes, "Max-Age=0"].join("; ");
  return [`${SESSION_COOKIE}=${value}`, ...attributes, `Max-Age=${Math.floor((options.maxAgeMs ?? SESSION_TTL_MS) / 1000)}`].join("; ");
}
