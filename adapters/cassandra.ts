// Thin cassandra-driver wiring: one Client per process, prepared statements by default,
// LOCAL_QUORUM (CASSANDRA_CONSISTENCY), credentials and TLS when configured, a capped reconnection
// policy, and a helper for bulk idempotent writes with bounded concurrency.
import cassandra from "cassandra-driver";
import { mapConcurrent } from "../core/concurrency";
import { getConfig, type CassandraConsistency, type CassandraSecurity } from "./config";
import type { Logger } from "./logger";
import { readPemFile } from "./pem-file";

export type CassandraClient = cassandra.Client;

export interface CassandraOptions {
  contactPoints: string[];
  localDataCenter: string;
  /** Omit to connect without a keyspace (migrations create it). */
  keyspace?: string;
  log: Logger;
  /**
   * Client TLS and credentials. Default: the process config's (CASSANDRA_TLS*, CASSANDRA_USERNAME/
   * PASSWORD, or a secure local stack's), so every client of every process authenticates alike.
   */
  security?: CassandraSecurity;
  /** Of every statement; default: the process config's (CASSANDRA_CONSISTENCY, LOCAL_QUORUM). */
  consistency?: CassandraConsistency;
}

const CONSISTENCY_CODES: Record<CassandraConsistency, cassandra.types.consistencies> = {
  local_quorum: cassandra.types.consistencies.localQuorum,
  quorum: cassandra.types.consistencies.quorum,
  each_quorum: cassandra.types.consistencies.eachQuorum,
  all: cassandra.types.consistencies.all,
  local_one: cassandra.types.consistencies.localOne,
  one: cassandra.types.consistencies.one,
};

/** The driver's `authProvider` and `sslOptions` of `security`. */
export function cassandraSecurityOptions(security: CassandraSecurity): Pick<cassandra.ClientOptions, "authProvider" | "sslOptions"> {
  const { tls, credentials } = security;
  return {
    ...(credentials === undefined
      ? {}
      : { authProvider: new cassandra.auth.PlainTextAuthProvider(credentials.username, credentials.password) }),
    // The driver turns certificate checks off unless told (rejectUnauthorized: false is its default).
    ...(tls === undefined
      ? {}
      : {
          sslOptions: {
            rejectUnauthorized: true,
            ...(tls.caFile === undefined ? {} : { ca: [readPemFile(tls.caFile, "CASSANDRA_TLS_CA_FILE")] }),
          },
        }),
  };
}

/** First and longest wait between reconnection attempts to a node the driver saw go down. */
export const CASSANDRA_RECONNECT_BASE_MS = 250;
export const CASSANDRA_RECONNECT_MAX_MS = 2_000;

/**
 * The client's options. The reconnection policy is capped at CASSANDRA_RECONNECT_MAX_MS: the
 * driver's default (1 s doubling to 10 min) left a client that had seen a node down for two minutes
 * waiting ~2 more before its next attempt, failing every query meanwhile though the node was back.
 */
export function cassandraClientOptions(options: Omit<CassandraOptions, "log">): cassandra.ClientOptions {
  const consistency = options.consistency ?? getConfig().cassandra.consistency;
  return {
    contactPoints: options.contactPoints,
    localDataCenter: options.localDataCenter,
    ...(options.keyspace ? { keyspace: options.keyspace } : {}),
    ...cassandraSecurityOptions(options.security ?? getConfig().cassandra.security),
    // Every statement of this app is an upsert or a read (no counters, no LWT), so all are safe to
    // retry on another coordinator.
    queryOptions: { prepare: true, isIdempotent: true, consistency: CONSISTENCY_CODES[consistency] },
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
    policies: {
      // First attempt at once, then 250 ms doubling to 2 s (with the driver's ±15 % jitter).
      reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(
        CASSANDRA_RECONNECT_BASE_MS,
        CASSANDRA_RECONNECT_MAX_MS,
        true,
      ),
    },
  };
}

/** Connects a client; every query is prepared unless a call says otherwise. */
export async function connectCassandra(options: CassandraOptions): Promise<CassandraClient> {
  const { log } = options;
  const client = new cassandra.Client(cassandraClientOptions(options));
  client.on("log", (level, _className, message) => {
    if (level === "error") log.error({ cassandra: true }, message);
    else if (level === "warning") log.warn({ cassandra: true }, message);
  });
  // One line per transition, with how long the node was unusable: what outage drills time recovery by.
  const downSinceMs = new Map<string, number>();
  client.on("hostDown", (host: cassandra.Host) => {
    downSinceMs.set(host.address, Date.now());
    log.warn({ event: "cassandra.host_down", host: host.address }, "Cassandra node down for this process; reconnecting");
  });
  client.on("hostUp", (host: cassandra.Host) => {
    const since = downSinceMs.get(host.address);
    downSinceMs.delete(host.address);
    log.info(
      { event: "cassandra.host_up", host: host.address, ...(since === undefined ? {} : { downMs: Date.now() - since }) },
      "Cassandra node up again for this process",
    );
  });
  await client.connect();
  return client;
}

/**
 * Runs one prepared, idempotent statement for many parameter rows with bounded concurrency.
 * Throws the first error after the in-flight queries settle (nothing is silently dropped).
 */
export async function executeMany(client: CassandraClient, query: string, rows: unknown[][], concurrencyLevel = 64): Promise<void> {
  if (rows.length === 0) return;
  // executeConcurrent always prepares; the client's defaults make the statements idempotent.
  await cassandra.concurrent.executeConcurrent(client, query, rows, { concurrencyLevel, raiseOnFirstError: true });
}

export const cassandraTypes = cassandra.types;

/** One row to write in a batch: its partition key (rows with equal keys share a partition) and parameters. */
export type PartitionedRow = { partitionKey: string; params: unknown[] };

/** Rough serialized size of a row's parameters: enough to keep batches under Cassandra's byte limits. */
export function estimateRowBytes(params: readonly unknown[]): number {
  let bytes = 16;
  for (const p of params) {
    if (typeof p === "string") bytes += 4 + p.length * 3;
    else if (p instanceof Map) bytes += 8 + p.size * 24;
    else bytes += p === undefined || p === null ? 4 : 12;
  }
  return bytes;
}

/**
 * Cuts rows into UNLOGGED batches of one partition each, at most `maxBytes` (estimated) and
 * `maxRows` per batch, in input order within a partition.
 */
export function partitionBatches(rows: readonly PartitionedRow[], maxBytes: number, maxRows = 500): unknown[][][] {
  const open = new Map<string, { params: unknown[][]; bytes: number }>();
  const out: unknown[][][] = [];
  for (const row of rows) {
    const size = estimateRowBytes(row.params);
    let batch = open.get(row.partitionKey);
    if (batch !== undefined && (batch.bytes + size > maxBytes || batch.params.length >= maxRows)) {
      out.push(batch.params);
      batch = undefined;
    }
    if (batch === undefined) open.set(row.partitionKey, (batch = { params: [], bytes: 0 }));
    batch.params.push(row.params);
    batch.bytes += size;
  }
  for (const batch of open.values()) out.push(batch.params);
  return out;
}

/**
 * Writes rows of one prepared, idempotent statement as UNLOGGED single-partition batches (the
 * shape Cassandra writes fastest: one mutation per partition, no batch log), `concurrency` batches
 * in flight. Throws the first error after the in-flight batches settle.
 */
export async function executeBatched(
  client: CassandraClient,
  query: string,
  rows: readonly PartitionedRow[],
  options: { maxBytes: number; concurrency: number },
): Promise<void> {
  if (rows.length === 0) return;
  await mapConcurrent(partitionBatches(rows, options.maxBytes), options.concurrency, async (batch) => {
    if (batch.length === 1) await client.execute(query, batch[0], { prepare: true });
    else
      await client.batch(
        batch.map((params) => ({ query, params })),
        { prepare: true, logged: false },
      );
  });
}
