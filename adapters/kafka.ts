// Thin kafkajs wiring: one Kafka client per process, an idempotent acks=all producer, and topic
// creation with configured partitions. Topic names are declared here, once.
import { Kafka, logLevel, Partitioners, type Admin, type ITopicConfig, type KafkaConfig, type Producer, type SASLOptions } from "kafkajs";
import { getConfig, type KafkaSecurity } from "./config";
import type { Logger } from "./logger";
import { readPemFile } from "./pem-file";

export const TOPICS = {
  trades: "market.trades",
  quotes: "market.quotes",
  prices: "market.prices",
  dlq: "market.dlq",
} as const;

export type TopicNames = { readonly [K in keyof typeof TOPICS]: string };

/** The application's topic names under a prefix (config `kafka.topicPrefix`; "" gives TOPICS). */
export function topicNames(prefix: string): TopicNames {
  return {
    trades: `${prefix}${TOPICS.trades}`,
    quotes: `${prefix}${TOPICS.quotes}`,
    prices: `${prefix}${TOPICS.prices}`,
    dlq: `${prefix}${TOPICS.dlq}`,
  };
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  log: Logger;
  /** ms to wait for a broker connection before failing (kafkajs default 1 s is tight for a cold JVM). */
  connectionTimeoutMs?: number;
  /** ms to wait for a broker's answer to one request (kafkajs default 30 s). */
  requestTimeoutMs?: number;
  /** Retries of one operation before it fails (default 8, ~12 s with the capped waits). */
  retries?: number;
  /**
   * kafkajs's own log lines at debug level: for a caller that reports failures itself and retries
   * through an outage, where kafkajs would log an error for every attempt.
   */
  libraryLogsAtDebug?: boolean;
  /**
   * TLS and SASL. Default: the process config's (KAFKA_TLS*, KAFKA_SASL*, or a secure local
   * stack's), so every client of every process authenticates alike; a test passes its own.
   */
  security?: KafkaSecurity;
}

/** Longest wait between kafkajs's retries of one operation, and before a crashed consumer restarts. */
export const KAFKA_RETRY_MAX_MS = 2_000;

const pinoLevelOf: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** kafkajs's `ssl` and `sasl` options of `security`. */
export function kafkaSecurityOptions(security: KafkaSecurity): Pick<KafkaConfig, "ssl" | "sasl"> {
  const { tls, sasl } = security;
  let saslOptions: SASLOptions | undefined;
  if (sasl !== undefined) {
    const { username, password } = sasl;
    saslOptions =
      sasl.mechanism === "plain"
        ? { mechanism: "plain", username, password }
        : sasl.mechanism === "scram-sha-256"
          ? { mechanism: "scram-sha-256", username, password }
          : { mechanism: "scram-sha-512", username, password };
  }
  return {
    // Without a CA file, Node's default CAs (a public certificate); rejectUnauthorized is Node's default.
    ...(tls === undefined ? {} : { ssl: tls.caFile === undefined ? true : { ca: [readPemFile(tls.caFile, "KAFKA_TLS_CA_FILE")] } }),
    ...(saslOptions === undefined ? {} : { sasl: saslOptions }),
  };
}

/** A kafkajs client whose own logs go through pino. */
export function createKafka(options: KafkaOptions): Kafka {
  const { log } = options;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaSecurityOptions(options.security ?? getConfig().kafka.security),
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeout: options.requestTimeoutMs }),
    // kafkajs's default waits grow to 30 s, so a client could sleep through most of a short outage
    // and start again up to 30 s after the broker was back; capped, it tries every 2 s at most.
    retry: { retries: options.retries ?? 8, initialRetryTime: 250, maxRetryTime: KAFKA_RETRY_MAX_MS },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        log[options.libraryLogsAtDebug ? "debug" : (pinoLevelOf[level] ?? "info")]({ kafkajs: rest }, message);
      },
  });
}

export interface ProducerOptions {
  /**
   * Retries of one send before it fails. Unset: the client's (createKafka `retries`, 8), so a send
   * fails after ~12 s of outage, however high kafkajs's idempotent default would be. A failed send
   * may still have been written; kafkajs rolls its sequence numbers back, so resending the very
   * same messages with the same producer is de-duplicated by the broker (workers/feeds do that),
   * while sending other messages next could be taken for that duplicate and dropped: a caller that
   * moves on must drop this producer.
   */
  retries?: number;
}

/**
 * An idempotent producer (acks=all is implied by idempotence and enforced by kafkajs), with the
 * Java client's murmur2 partitioner so a symbol lands on the same partition as from any other client.
 */
export async function connectProducer(kafka: Kafka, options: ProducerOptions = {}): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
  });
  try {
    await producer.connect();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  return producer;
}

/**
 * The partition a message keyed `key` goes to on a topic of `partitionCount` partitions, from
 * connectProducer's partitioner (the same function, so the two cannot drift apart).
 */
export function keyPartitioner(partitionCount: number): (key: string) => number {
  const partition = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  return (key) => partition({ topic: "", partitionMetadata, message: { key, value: null } });
}

/** How many partitions `topic` has. */
export async function topicPartitionCount(admin: Admin, topic: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const count = topics[0]?.partitions.length ?? 0;
  if (count === 0) throw new Error(`topic ${topic} has no partitions`);
  return count;
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(admin: Admin, topics: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.topic));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  }
  return missing.map((topic) => topic.topic);
}

/**
 * The application's topics with their partition counts and retention. `minInsyncReplicas` (config
 * `kafka.minInsyncReplicas`) goes into each topic's config; unset, the brokers' default applies.
 */
export function applicationTopics(
  partitions: number,
  replicationFactor: number,
  names: TopicNames = TOPICS,
  minInsyncReplicas?: number,
): ITopicConfig[] {
  const isr = minInsyncReplicas === undefined ? [] : [{ name: "min.insync.replicas", value: String(minInsyncReplicas) }];
  const tick = (topic: string): ITopicConfig => ({
    topic,
    numPartitions: partitions,
    replicationFactor,
    ...(isr.length > 0 ? { configEntries: isr } : {}),
  });
  return [
    tick(names.trades),
    tick(names.quotes),
    tick(names.prices),
    // The DLQ is read by operators, not replayed by key order: few partitions, longer retention.
    {
      topic: names.dlq,
      numPartitions: 1,
      replicationFactor,
      configEntries: [{ name: "retention.ms", value: String(14 * 24 * 3600 * 1000) }, ...isr],
    },
  ];
}

// Protocol errors that no retry of the same request can fix.
const REJECTED_TYPES = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "INVALID_TOPIC_EXCEPTION",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "SASL_AUTHENTICATION_FAILED",
  "UNSUPPORTED_VERSION",
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "INVALID_PRODUCER_EPOCH",
  "UNKNOWN_PRODUCER_ID",
]);
// kafkajs errors of a broker that cannot be reached or has not answered (yet).
const UNREACHABLE_NAMES = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSTopicMetadataNotLoaded",
  "KafkaJSLockTimeout",
  "KafkaJSNumberOfRetriesExceeded",
]);

/** The error and those it wraps (kafkajs nests them in `originalError` and `cause`), outermost first. */
export function kafkaErrorChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = error; e instanceof Error && chain.length < 8 && !chain.includes(e);) {
    chain.push(e);
    e = (e as { originalError?: unknown }).originalError ?? e.cause;
  }
  return chain;
}

/** The kafkajs protocol error type (`MESSAGE_TOO_LARGE`, …) anywhere in the error's chain. */
export function hasKafkaErrorType(error: unknown, types: ReadonlySet<string>): boolean {
  return kafkaErrorChain(error).some((e) => types.has(String((e as { type?: unknown }).type)));
}

/**
 * True when a request failed because Kafka is unreachable or busy (a connection refused or closed, a
 * timeout, a leader moving): the same request may succeed later. False when Kafka refused it for
 * good (too large, invalid, not authorized, the producer's sequence lost) or the error is not Kafka's.
 */
export function isKafkaUnavailable(error: unknown): boolean {
  if (hasKafkaErrorType(error, REJECTED_TYPES)) return false;
  return kafkaErrorChain(error).some((e) => UNREACHABLE_NAMES.has(e.name) || (e as { retriable?: unknown }).retriable === true);
}
