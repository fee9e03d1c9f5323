import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, testLog } from "../test/helpers";
import { startOutageProxy, type OutageProxy } from "../test/outage-proxy";
import { getConfig } from "./config";
import { createRedis, REDIS_RECONNECT_MAX_MS, type Redis } from "./redis";

const config = getConfig();
let proxy: OutageProxy;
let redis: Redis;

const answers = async (): Promise<boolean> => {
  try {
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  }
};

beforeAll(async () => {
  const url = new URL(config.redis.url);
  proxy = await startOutageProxy(`${url.hostname}:${url.port || "6379"}`);
  url.port = String(proxy.port);
  redis = createRedis(url.toString(), "client", testLog);
  await eventually(answers, "Redis to answer through the proxy", 10_000);
});

afterAll(async () => {
  redis?.disconnect();
  await proxy?.close();
});

describe("a Redis connection after the server went away", () => {
  it("keeps trying at most every second and answers again within 1.5 s of the server coming back", async () => {
    const downAtMs = Date.now();
    proxy.down();
    await eventually(async () => !(await answers()), "commands to fail while Redis is down", 10_000);
    // An attempt 6 s in comes by ~7 s here; ioredis's default waits (50 ms doubling to 5 s) reach it at ~11 s.
    await eventually(() => (proxy.refusedAtMs.at(-1) ?? 0) - downAtMs >= 6_000, "a reconnection attempt 6 s into the outage", 8_000);
    const gapsMs = proxy.refusedAtMs.slice(1).map((at, i) => at - (proxy.refusedAtMs[i] ?? at));
    expect(Math.max(...gapsMs)).toBeLessThanOrEqual(REDIS_RECONNECT_MAX_MS + 200);

    proxy.up();
    const backAtMs = Date.now();
    await eventually(answers, "commands to succeed again", 10_000);
    expect(Date.now() - backAtMs).toBeLessThan(REDIS_RECONNECT_MAX_MS + 500);
  });
});
