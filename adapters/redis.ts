// ioredis connections. BullMQ workers need maxRetriesPerRequest=null (wait through reconnects);
// request/response paths give up after two reconnect attempts so a down Redis surfaces as an error.
import { Redis } from "ioredis";
import type { Logger } from "./logger";

export type { Redis };

export type RedisRole = "worker" | "client";

/** A connection for `role`; errors are logged, never left unhandled. */
export function createRedis(url: string, role: RedisRole, log: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === "worker" ? null : 2,
    connectTimeout: 5_000,
    lazyConnect: false,
  });
  redis.on("error", (error: Error) => log.warn({ err: error, role }, "redis connection error"));
  return redis;
}
