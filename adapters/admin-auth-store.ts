// The admin console's security state in Redis, shared by every web process: failed-login records
// per client (the login throttle) and revoked session ids. Every key expires by itself, so the
// state stays bounded by the clients seen within the forget window and the sessions' lifetime.
import type { Redis } from "./redis";

export const ADMIN_AUTH_KEY_PREFIX = "tickstream:admin:";

/** How failed logins from one client are slowed down. */
export interface LoginThrottlePolicy {
  /** Attempts a client may make before the first lockout. */
  freeAttempts: number;
  /** The first lockout; each further failure doubles it. */
  firstLockoutMs: number;
  maxLockoutMs: number;
  /** How long a client's record outlives its lockout: quiet that long, it starts afresh. */
  forgetAfterMs: number;
}

export type LoginAttempt = { allowed: true; attempts: number } | { allowed: false; retryAfterMs: number };

const failuresKey = (clientKey: string) => `${ADMIN_AUTH_KEY_PREFIX}login-failures:${clientKey}`;
const revokedKey = (sessionId: string) => `${ADMIN_AUTH_KEY_PREFIX}revoked-session:${sessionId}`;

// One atomic step, so that a burst of parallel attempts cannot all pass the lockout check before
// any of them is counted: refuse while locked; otherwise count the attempt up front (a success
// clears the record afterwards) and, from the free quota on, lock for first·2^(n−free), capped.
const BEGIN_ATTEMPT = `
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local first = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local forget = tonumber(ARGV[5])
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'lockedUntil') or '0')
if lockedUntil > now then return {0, lockedUntil - now} end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local lockMs = 0
if attempts >= free then
  lockMs = math.floor(math.min(first * 2 ^ math.min(attempts - free, 40), cap))
  redis.call('HSET', KEYS[1], 'lockedUntil', string.format('%d', now + lockMs))
end
redis.call('PEXPIRE', KEYS[1], string.format('%d', lockMs + forget))
return {1, attempts}
`;

/**
 * Starts a login attempt of `clientKey` at `nowMs`: refused with the time left while the client is
 * locked out, otherwise counted (with the lockout it earns if it fails). Call
 * clearLoginFailures after a successful login.
 */
export async function beginLoginAttempt(
  redis: Redis,
  clientKey: string,
  policy: LoginThrottlePolicy,
  nowMs: number,
): Promise<LoginAttempt> {
  const reply = (await redis.eval(
    BEGIN_ATTEMPT,
    1,
    failuresKey(clientKey),
    Math.floor(nowMs),
    policy.freeAttempts,
    policy.firstLockoutMs,
    policy.maxLockoutMs,
    policy.forgetAfterMs,
  )) as [number, number];
  const [allowed, value] = reply;
  return allowed === 1 ? { allowed: true, attempts: value } : { allowed: false, retryAfterMs: value };
}

/** Forgets the failed logins of `clientKey` (after a successful login). */
export async function clearLoginFailures(redis: Redis, clientKey: string): Promise<void> {
  await redis.del(failuresKey(clientKey));
}

/** Marks a session revoked until `expiresAtMs`, when its cookie would be refused anyway. */
export async function revokeSession(redis: Redis, sessionId: string, expiresAtMs: number, nowMs: number): Promise<void> {
  const remainingMs = Math.ceil(expiresAtMs - nowMs);
  if (remainingMs > 0) await redis.set(revokedKey(sessionId), "1", "PX", remainingMs);
}

/** Whether the session was revoked (by a logout). */
export async function isSessionRevoked(redis: Redis, sessionId: string): Promise<boolean> {
  return (await redis.exists(revokedKey(sessionId))) === 1;
}
