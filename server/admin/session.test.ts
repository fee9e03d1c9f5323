import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readCookie, SESSION_COOKIE, sessionCookie, sessionKey, signSession, tokenMatches, verifySession } from "./session";

const key = sessionKey("a-long-admin-token");
const NOW = 1_764_000_000_000;

const ID = "AAECAwQFBgcICQoLDA0ODw";

describe("admin session", () => {
  it("accepts a session it signed until it expires, giving back its id and expiry", () => {
    const value = signSession(key, ID, NOW + 60_000);
    expect(value).toMatch(/^v2\.AAECAwQFBgcICQoLDA0ODw\.\d+\.[\w-]{43}$/);
    expect(verifySession(key, value, NOW)).toEqual({ id: ID, expiresAtMs: NOW + 60_000 });
    expect(verifySession(key, value, NOW + 59_999)).not.toBeNull();
    expect(verifySession(key, value, NOW + 60_000)).toBeNull();
  });

  it("refuses a session signed with another token's key", () => {
    const value = signSession(sessionKey("another-admin-token"), ID, NOW + 60_000);
    expect(verifySession(key, value, NOW)).toBeNull();
  });

  it("refuses a session whose expiry or id was changed without re-signing", () => {
    const value = signSession(key, ID, NOW + 60_000);
    const extended = value.replace(String(NOW + 60_000), String(NOW + 3_600_000));
    const otherId = value.replace(ID, "BBECAwQFBgcICQoLDA0ODw");
    for (const forged of [extended, otherId]) {
      expect(forged).not.toBe(value);
      expect(verifySession(key, forged, NOW)).toBeNull();
    }
  });

  it("refuses absent, empty, malformed and v1 (unrevocable) values", () => {
    const v1Payload = `v1.${NOW + 60_000}`;
    const v1 = `${v1Payload}.${createHmac("sha256", key).update(v1Payload, "utf8").digest("base64url")}`;
    for (const value of [undefined, null, "", "v1.123", "v2.abc.def", "x".repeat(500), `v2.${ID}.${NOW + 1}.${"A".repeat(43)}`, v1]) {
      expect(verifySession(key, value, NOW)).toBeNull();
    }
  });

  it("signs only well-formed session ids", () => {
    expect(() => signSession(key, "short", NOW)).toThrow(/22 base64url/);
    expect(() => signSession(key, `${ID.slice(0, 21)}.`, NOW)).toThrow(/22 base64url/);
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
