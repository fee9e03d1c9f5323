// Who may use the console: a request carrying a valid session cookie that was not revoked. Login
// trades the admin token for such a cookie, throttled per client address; logout revokes the
// session. Throttle and revocations live in Redis, so they hold across web processes; when Redis
// cannot answer, the console fails closed (503) rather than skip either check.
import { randomBytes } from "node:crypto";
import {
  beginLoginAttempt,
  clearLoginFailures,
  isSessionRevoked,
  revokeSession,
  type LoginThrottlePolicy,
} from "../../adapters/admin-auth-store";
import { getConfig } from "../../adapters/config";
import type { Redis } from "../../adapters/redis";
import { AppError } from "../errors";
import { getAdminToken } from "./admin-token";
import {
  readCookie,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionKey,
  signSession,
  tokenMatches,
  verifySession,
  type VerifiedSession,
} from "./session";

/** What authentication needs of the admin context. */
export interface AdminAuthContext {
  redis: Redis;
  nowMs: () => number;
}

/** The longest lockout, however many failures. */
export const MAX_LOGIN_LOCKOUT_MS = 15 * 60_000;
/** A client quiet this long after its last lockout starts with its free attempts again. */
const FORGET_FAILURES_AFTER_MS = 60 * 60_000;

let keyFor: { token: string; key: Buffer } | undefined;

function currentKey(): Buffer {
  const token = getAdminToken();
  if (keyFor?.token !== token) keyFor = { token, key: sessionKey(token) };
  return keyFor.key;
}

function throttlePolicy(): LoginThrottlePolicy {
  const { loginFreeAttempts, loginFirstLockoutMs } = getConfig().admin;
  return {
    freeAttempts: loginFreeAttempts,
    firstLockoutMs: loginFirstLockoutMs,
    maxLockoutMs: Math.max(loginFirstLockoutMs, MAX_LOGIN_LOCKOUT_MS),
    forgetAfterMs: FORGET_FAILURES_AFTER_MS,
  };
}

/** Runs a Redis step of authentication; Redis failing is a 503, never a pass. */
async function sessionStore<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new AppError("UNAVAILABLE", { message: "the admin session store (Redis) is unavailable", retriable: true, cause: error });
  }
}

/** The session of a cookie value when it is signed, unexpired and not revoked; null otherwise. */
export async function activeSession(ctx: AdminAuthContext, value: string | undefined | null): Promise<VerifiedSession | null> {
  const session = verifySession(currentKey(), value, ctx.nowMs());
  if (session === null) return null;
  return (await sessionStore(() => isSessionRevoked(ctx.redis, session.id))) ? null : session;
}

/** Throws UNAUTHORIZED (401) unless the request carries an active session. */
export async function requireAdmin(ctx: AdminAuthContext, headers: Headers): Promise<void> {
  if ((await activeSession(ctx, readCookie(headers.get("cookie"), SESSION_COOKIE))) === null) {
    throw new AppError("UNAUTHORIZED", { message: "log in to the admin console first", retriable: false });
  }
}

export type LoginOutcome =
  | { outcome: "logged-in"; value: string; maxAgeMs: number }
  | { outcome: "wrong-token"; attempts: number }
  | { outcome: "locked-out"; retryAfterMs: number };

/**
 * A login attempt with `token` from client `clientKey`: while the client is locked out it is
 * refused without looking at the token (so a right token does not end a lockout early); a right
 * token gets a new session and clears the client's failures.
 */
export async function login(ctx: AdminAuthContext, token: unknown, clientKey: string): Promise<LoginOutcome> {
  const attempt = await sessionStore(() => beginLoginAttempt(ctx.redis, clientKey, throttlePolicy(), ctx.nowMs()));
  if (!attempt.allowed) return { outcome: "locked-out", retryAfterMs: attempt.retryAfterMs };
  if (!tokenMatches(getAdminToken(), token)) return { outcome: "wrong-token", attempts: attempt.attempts };
  await sessionStore(() => clearLoginFailures(ctx.redis, clientKey));
  const id = randomBytes(16).toString("base64url");
  return { outcome: "logged-in", value: signSession(currentKey(), id, ctx.nowMs() + SESSION_TTL_MS), maxAgeMs: SESSION_TTL_MS };
}

/** Revokes the session of a cookie value (until it would have expired); false when there was none to revoke. */
export async function logout(ctx: AdminAuthContext, value: string | undefined | null): Promise<boolean> {
  const session = verifySession(currentKey(), value, ctx.nowMs());
  if (session === null) return false;
  await sessionStore(() => revokeSession(ctx.redis, session.id, session.expiresAtMs, ctx.nowMs()));
  return true;
}
