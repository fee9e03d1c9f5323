// ioredis connections. BullMQ workers need maxRetriesPerRequest=null (wait through reconnects);
// request/response paths give up after two reconnect attempts so a down Redis surfaces as an error.
// Reconnection waits are capped at ~1 s so a process works again within about a second of Redis.
import { Redis } from "ioredis";
import type { Logger } from "./logger";

export type { Redis };

export type RedisRole = "worker" | "client";

/** Longest wait between reconnection attempts (ioredis's own default grows to 5 s). */
export const REDIS_RECONNECT_MAX_MS = 1_000;

/** Wait before reconnection attempt `attempt` (1-based): 50 ms doubling to the cap, plus up to 10 % jitter. */
export function redisReconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const delayMs = Math.min(50 * 2 ** Math.min(attempt - 1, 16), REDIS_RECONNECT_MAX_MS);
  return Math.round(delayMs * (0.9 + 0.1 * random()));
}

const STILL_DOWN_LOG_EVERY_MS = 10_000;

/** A connection for `role`; errors are logged (at most every 10 s while it stays down), never left unhandled. */
export function createRedis(url: string, role: RedisRole, log: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === "worker" ? null : 2,
    connectTimeout: 5_000,
    lazyConnect: false,
    retryStrategy: (attempt) => redisReconnectDelayMs(attempt),
  });
  let downSinceMs: number | undefined;
  let lastLogMs = 0;
  redis.on("close", () => {
    downSinceMs ??= Date.now();
  });
  redis.on("error", (error: Error) => {
    const nowMs = Date.now();
    downSinceMs ??= nowMs;
    if (nowMs - lastLogMs < STILL_DOWN_LOG_EVERY_MS) return;
    lastLogMs = nowMs;
    log.warn({ err: error, role, event: "redis.unavailable", downMs: nowMs - downSinceMs }, "Redis unavailable, reconnecting");
  });
  redis.on("ready", () => {
    if (downSinceMs === undefined) return;
    log.info({ role, event: "redis.ready", downMs: Date.now() - downSinceMs }, "Redis connection ready again");
    downSinceMs = undefined;
    lastLogMs = 0;
  });
  return redis;
}
