// The admin console's session: a cookie holding `<expiry ms>.<HMAC-SHA256 of it>`, signed with a
// key derived from the admin token (changing the token logs every session out). Pure: the clock
// and the key are passed in.
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

/** A session value that expires at `expiresAtMs`. */
export function signSession(key: Buffer, expiresAtMs: number): string {
  const payload = `v1.${Math.floor(expiresAtMs)}`;
  return `${payload}.${mac(key, payload).toString("base64url")}`;
}

/** Whether `value` is a session signed with `key` that has not expired at `nowMs`. */
export function verifySession(key: Buffer, value: string | undefined | null, nowMs: number): boolean {
  if (!value) return false;
  const match = /^(v1\.(\d{1,16}))\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return false;
  const [, payload = "", expiresText = "", signature = ""] = match;
  const presented = Buffer.from(signature, "base64url");
  const expected = mac(key, payload);
  // Compare the MAC in constant time before looking at the expiry, so timing reveals nothing.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return false;
  return Number(expiresText) > nowMs;
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
