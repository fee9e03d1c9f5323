// Shared helpers of integration tests: unique names per run, polling with a deadline, a Cassandra client.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { getConfig, type AppConfig } from "../adapters/config";

/** A name no other test run uses, safe as a topic, keyspace or queue prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

export const testLog = pino({ level: "warn" });

/** Polls `condition` until it returns true; fails with `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A client of `config`'s Cassandra (the configured one by default), on `keyspace` when given (the shape `migrate` takes). */
export function connectTestCassandra(keyspace?: string, config: AppConfig = getConfig()): Promise<CassandraClient> {
  const { cassandra } = config;
  return connectCassandra({
    contactPoints: cassandra.contactPoints,
    localDataCenter: cassandra.localDataCenter,
    ...(keyspace ? { keyspace } : {}),
    security: cassandra.security,
    log: testLog,
  });
}
