// Thin cassandra-driver wiring: one Client per process, prepared statements by default,
// LOCAL_QUORUM, and a helper for bulk idempotent writes with bounded concurrency.
import cassandra from "cassandra-driver";
import type { Logger } from "./logger";

export type CassandraClient = cassandra.Client;

export interface CassandraOptions {
  contactPoints: string[];
  localDataCenter: string;
  /** Omit to connect without a keyspace (migrations create it). */
  keyspace?: string;
  log: Logger;
}

/** Connects a client; every query is prepared unless a call says otherwise. */
export async function connectCassandra(options: CassandraOptions): Promise<CassandraClient> {
  const client = new cassandra.Client({
    contactPoints: options.contactPoints,
    localDataCenter: options.localDataCenter,
    ...(options.keyspace ? { keyspace: options.keyspace } : {}),
    // Every statement of this app is an upsert or a read (no counters, no LWT), so all are safe to
    // retry on another coordinator.
    queryOptions: { prepare: true, isIdempotent: true, consistency: cassandra.types.consistencies.localQuorum },
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
  });
  client.on("log", (level, _className, message) => {
    if (level === "error") options.log.error({ cassandra: true }, message);
    else if (level === "warning") options.log.warn({ cassandra: true }, message);
  });
  await client.connect();
  return client;
}

/**
 * Runs one prepared, idempotent statement for many parameter rows with bounded concurrency.
 * Throws the first error after the in-flight queries settle (nothing is silently dropped).
 */
export async function executeMany(
  client: CassandraClient,
  query: string,
  rows: unknown[][],
  concurrencyLevel = 64,
): Promise<void> {
  if (rows.length === 0) return;
  // executeConcurrent always prepares; the client's defaults make the statements idempotent.
  await cassandra.concurrent.executeConcurrent(client, query, rows, { concurrencyLevel, raiseOnFirstError: true });
}

export const cassandraTypes = cassandra.types;
