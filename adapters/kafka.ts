// Thin kafkajs wiring: one Kafka client per process, an idempotent acks=all producer, and topic
// creation with configured partitions. Topic names are declared here, once.
import { Kafka, logLevel, Partitioners, type Admin, type ITopicConfig, type Producer } from "kafkajs";
import type { Logger } from "./logger";

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
  retries?: number;
}

const pinoLevelOf: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** A kafkajs client whose own logs go through pino. */
export function createKafka(options: KafkaOptions): Kafka {
  const { log } = options;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeout: options.requestTimeoutMs }),
    retry: { retries: options.retries ?? 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        log[pinoLevelOf[level] ?? "info"]({ kafkajs: rest }, message);
      },
  });
}

export interface ProducerOptions {
  /**
   * Retries of one send before it fails. Unset: unbounded (kafkajs's default for idempotence), so
   * a send waits out any outage. Bounded: a failed send may have been written, and the producer's
   * sequence numbers no longer match the broker's; the caller must then drop this producer.
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
  await producer.connect();
  return producer;
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

/** The application's topics with their partition counts and retention. */
export function applicationTopics(partitions: number, replicationFactor: number, names: TopicNames = TOPICS): ITopicConfig[] {
  const tick = (topic: string): ITopicConfig => ({ topic, numPartitions: partitions, replicationFactor });
  return [
    tick(names.trades),
    tick(names.quotes),
    tick(names.prices),
    // The DLQ is read by operators, not replayed by key order: few partitions, longer retention.
    {
      topic: names.dlq,
      numPartitions: 1,
      replicationFactor,
      configEntries: [{ name: "retention.ms", value: String(14 * 24 * 3600 * 1000) }],
    },
  ];
}
