// The admin login throttle and session revocations against the real Redis: the doubling lockout
// with its cap, atomicity under a burst, reset, and records that expire by themselves.
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName, testLog } from "../test/helpers";
import {
  ADMIN_AUTH_KEY_PREFIX,
  beginLoginAttempt,
  clearLoginFailures,
  isSessionRevoked,
  revokeSession,
  type LoginThrottlePolicy,
} from "./admin-auth-store";
import { getConfig } from "./config";
import { createRedis } from "./redis";

const redis = createRedis(getConfig().redis.url, "client", testLog);
const POLICY: LoginThrottlePolicy = { freeAttempts: 3, firstLockoutMs: 1_000, maxLockoutMs: 8_000, forgetAfterMs: 60_000 };
const T0 = 1_764_000_000_000;
const clients: string[] = [];
const sessions: string[] = [];

function freshClient(): string {
  const client = uniqueName("test-client");
  clients.push(client);
  return client;
}

afterAll(async () => {
  const keys = [
    ...clients.map((c) => `${ADMIN_AUTH_KEY_PREFIX}login-failures:${c}`),
    ...sessions.map((s) => `${ADMIN_AUTH_KEY_PREFIX}revoked-session:${s}`),
  ];
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("login throttle", () => {
  it("lets the free attempts through, then locks for a doubling time capped at the maximum", async () => {
    const client = freshClient();
    const attempt = (atMs: number) => beginLoginAttempt(redis, client, POLICY, T0 + atMs);
    expect(await attempt(0)).toEqual({ allowed: true, attempts: 1 });
    expect(await attempt(1)).toEqual({ allowed: true, attempts: 2 });
    // The third (last free) attempt is judged, and earns the first lockout if it fails.
    expect(await attempt(2)).toEqual({ allowed: true, attempts: 3 });
    expect(await attempt(502)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(await attempt(1_001)).toEqual({ allowed: false, retryAfterMs: 1 });
    // Refused attempts are not counted: the next lockout is 2 s, from the attempt after this one.
    expect(await attempt(1_002)).toEqual({ allowed: true, attempts: 4 });
    expect(await attempt(3_001)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(await attempt(3_002)).toEqual({ allowed: true, attempts: 5 });
    expect(await attempt(3_003)).toEqual({ allowed: false, retryAfterMs: 3_999 });
    expect(await attempt(7_002)).toEqual({ allowed: true, attempts: 6 });
    expect(await attempt(7_003)).toEqual({ allowed: false, retryAfterMs: 7_999 });
    // 16 s would be next: the cap holds it at 8 s.
    expect(await attempt(15_002)).toEqual({ allowed: true, attempts: 7 });
    expect(await attempt(15_003)).toEqual({ allowed: false, retryAfterMs: 7_999 });
    // The record outlives its lockout by the forget window, no longer.
    const ttlMs = await redis.pttl(`${ADMIN_AUTH_KEY_PREFIX}login-failures:${client}`);
    expect(ttlMs).toBeGreaterThan(60_000);
    expect(ttlMs).toBeLessThanOrEqual(68_000);
  });

  it("starts afresh after a successful login clears the client", async () => {
    const client = freshClient();
    for (let i = 0; i < 3; i++) await beginLoginAttempt(redis, client, POLICY, T0);
    expect((await beginLoginAttempt(redis, client, POLICY, T0)).allowed).toBe(false);
    await clearLoginFailures(redis, client);
    expect(await beginLoginAttempt(redis, client, POLICY, T0)).toEqual({ allowed: true, attempts: 1 });
  });

  it("lets exactly the free attempts of a parallel burst through, and keeps clients apart", async () => {
    const client = freshClient();
    const other = freshClient();
    const burst = await Promise.all(Array.from({ length: 40 }, () => beginLoginAttempt(redis, client, POLICY, T0)));
    expect(burst.filter((attempt) => attempt.allowed)).toHaveLength(3);
    expect(await beginLoginAttempt(redis, other, POLICY, T0)).toEqual({ allowed: true, attempts: 1 });
  });
});

describe("session revocations", () => {
  it("holds a revoked session until it would have expired, and never for an expired one", async () => {
    const id = uniqueName("session");
    const expired = uniqueName("session");
    sessions.push(id, expired);
    const now = Date.now();
    expect(await isSessionRevoked(redis, id)).toBe(false);
    await revokeSession(redis, id, now + 5_000, now);
    expect(await isSessionRevoked(redis, id)).toBe(true);
    const ttlMs = await redis.pttl(`${ADMIN_AUTH_KEY_PREFIX}revoked-session:${id}`);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(5_000);
    await revokeSession(redis, expired, now - 1, now);
    expect(await redis.exists(`${ADMIN_AUTH_KEY_PREFIX}revoked-session:${expired}`)).toBe(0);
  });
});
