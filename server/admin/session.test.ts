import { describe, expect, it } from "vitest";
import { readCookie, SESSION_COOKIE, sessionCookie, sessionKey, signSession, tokenMatches, verifySession } from "./session";

const key = sessionKey("a-long-admin-token");
const NOW = 1_764_000_000_000;

describe("admin session", () => {
  it("accepts a session it signed until it expires", () => {
    const value = signSession(key, NOW + 60_000);
    expect(verifySession(key, value, NOW)).toBe(true);
    expect(verifySession(key, value, NOW + 59_999)).toBe(true);
    expect(verifySession(key, value, NOW + 60_000)).toBe(false);
  });

  it("refuses a session signed with another token's key", () => {
    const value = signSession(sessionKey("another-admin-token"), NOW + 60_000);
    expect(verifySession(key, value, NOW)).toBe(false);
  });

  it("refuses a session whose expiry was extended without re-signing", () => {
    const value = signSession(key, NOW + 60_000);
    const forged = value.replace(String(NOW + 60_000), String(NOW + 3_600_000));
    expect(forged).not.toBe(value);
    expect(verifySession(key, forged, NOW)).toBe(false);
  });

  it("refuses absent, empty and malformed values", () => {
    for (const value of [undefined, null, "", "v1.123", "v1.abc.def", "x".repeat(500), `v1.${NOW + 1}.${"A".repeat(43)}`]) {
      expect(verifySession(key, value, NOW)).toBe(false);
    }
  });

  it("derives the key from the token, so the token itself is not the HMAC key", () => {
    expect(sessionKey("t1-admin-token")).toHaveLength(32);
    expect(sessionKey("t1-admin-token").equals(sessionKey("t2-admin-token"))).toBe(false);
    expect(sessionKey("t1-admin-token").toString("utf8")).not.toContain("t1-admin-token");
  });

  it("matches the token exactly, whatever the lengths", () => {
    expect(tokenMatches("secret-token-1", "secret-token-1")).toBe(true);
    expect(tokenMatches("secret-token-1", "secret-token-")).toBe(false);
    expect(tokenMatches("secret-token-1", "secret-token-12")).toBe(false);
    expect(tokenMatches("secret-token-1", "")).toBe(false);
    expect(tokenMatches("secret-token-1", undefined)).toBe(false);
    expect(tokenMatches("secret-token-1", 42)).toBe(false);
  });

  it("sets an httpOnly, SameSite=Strict cookie on /, Secure only over https, and clears it", () => {
    const set = sessionCookie("v", { secure: false, maxAgeMs: 3_600_000 });
    expect(set).toBe(`${SESSION_COOKIE}=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600`);
    expect(sessionCookie("v", { secure: true })).toContain("; Secure;");
    expect(sessionCookie(null, { secure: false })).toBe(`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
  });

  it("reads one cookie out of a Cookie header", () => {
    expect(readCookie(`theme=dark; ${SESSION_COOKIE}=v1.1.abc; other=x`, SESSION_COOKIE)).toBe("v1.1.abc");
    expect(readCookie("theme=dark", SESSION_COOKIE)).toBeUndefined();
    expect(readCookie(null, SESSION_COOKIE)).toBeUndefined();
  });
});
