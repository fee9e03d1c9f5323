import { describe, expect, it } from "vitest";
import { REDIS_RECONNECT_MAX_MS, redisReconnectDelayMs } from "./redis";

describe("redisReconnectDelayMs", () => {
  it("starts at 50 ms, doubles, and never waits longer than the cap however long Redis stays down", () => {
    expect(redisReconnectDelayMs(1, () => 1)).toBe(50);
    expect(redisReconnectDelayMs(2, () => 1)).toBe(100);
    for (const attempt of [5, 10, 100, 10_000]) {
      expect(redisReconnectDelayMs(attempt, () => 1)).toBeLessThanOrEqual(REDIS_RECONNECT_MAX_MS);
      expect(redisReconnectDelayMs(attempt, () => 0)).toBeGreaterThanOrEqual(
        0.9 * Math.min(50 * 2 ** (attempt - 1), REDIS_RECONNECT_MAX_MS) - 1,
      );
    }
  });
});
