// The Kafka side of ingest: one idempotent producer per web process, connected on first use after
// the tick topics exist, replaced after a failed send, and closed on SIGTERM/SIGINT once in-flight
// sends settle. While Kafka is unavailable requests are refused at once (kafka-gate.ts) rather than
// queued. Tests install their own context (own topic prefix) with setIngestContext.
import type { Message, Producer, RecordMetadata } from "kafkajs";
import { getConfig } from "../../adapters/config";
import { applicationTopics, connectProducer, createKafka, ensureTopics, topicNames, type TopicNames } from "../../adapters/kafka";
import { createLogger, type Logger } from "../../adapters/logger";
import { AppError } from "../errors";
import { createKafkaGate } from "./kafka-gate";

export interface IngestContext {
  topics: TopicNames;
  /** Sends `messages` to `topic`; resolves only when every partition leader acked them (acks=all). */
  send(topic: string, messages: Message[]): Promise<RecordMetadata[]>;
  /** Waits (at most `drainMs`) for sends in flight, then disconnects; later sends fail. */
  close(drainMs?: number): Promise<void>;
}

export interface IngestKafkaOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  log: Logger;
  /** Retries of one send; bounded so a request fails (503) instead of waiting out an outage. */
  sendRetries?: number;
  /** Sends at once (each holds its request's ticks); more are refused with 503. */
  maxInFlight?: number;
}

/**
 * Sends one web process has in flight at most: a send takes milliseconds when Kafka is healthy,
 * so this only binds when Kafka is slow, and caps the ticks held to 32 × INGEST_MAX_TICKS.
 */
export const INGEST_MAX_IN_FLIGHT = 32;

/**
 * A context whose first send creates the missing tick topics (the brokers do not auto-create them)
 * and connects the producer; no I/O before that, and a failed connect is retried by the next send.
 */
export function createIngestContext(options: IngestKafkaOptions): IngestContext {
  const { log } = options;
  const topics = topicNames(options.topicPrefix);
  // Short timeouts and few retries: an HTTP client is waiting for the answer.
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: options.clientId,
    log,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 10_000,
    retries: 2,
  });
  const gate = createKafkaGate({ maxInFlight: options.maxInFlight ?? INGEST_MAX_IN_FLIGHT, log });

  let topicsReady: Promise<void> | undefined;
  const ensureTopicsOnce = (): Promise<void> => {
    topicsReady ??= (async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await ensureTopics(admin, applicationTopics(options.partitions, options.replicationFactor, topics));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    })().catch((error: unknown) => {
      topicsReady = undefined;
      throw error;
    });
    return topicsReady;
  };

  let current: Promise<Producer> | undefined;
  let closing: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();

  const connect = (): Promise<Producer> => {
    const connecting = ensureTopicsOnce().then(() => connectProducer(kafka, { retries: options.sendRetries ?? 2 }));
    current = connecting;
    connecting.catch(() => {
      if (current === connecting) current = undefined;
    });
    return connecting;
  };

  const drop = (slot: Promise<Producer>): void => {
    if (current !== slot) return;
    current = undefined;
    void slot.then((producer) => producer.disconnect()).catch(() => undefined);
  };

  const send = (topic: string, messages: Message[]): Promise<RecordMetadata[]> => {
    if (closing)
      return Promise.reject(new AppError("UNAVAILABLE", { message: "the server is shutting down; retry the request", retriable: true }));
    const sending = gate.run(() => {
      const slot = current ?? connect();
      return slot
        .then((producer) => producer.send({ topic, messages, acks: -1 }))
        .catch((error: unknown) => {
          // A failed send may still have been written, and its sequence numbers are now out of step
          // with the broker's: a later batch reusing them could be taken for a duplicate and dropped
          // while acked. A new producer (new producer id) starts clean.
          drop(slot);
          throw error;
        });
    });
    inFlight.add(sending);
    void sending.catch(() => undefined).finally(() => inFlight.delete(sending));
    return sending;
  };

  const close = (drainMs = 10_000): Promise<void> => {
    closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
      clearTimeout(timer);
      const last = current;
      current = undefined;
      await last
        ?.then((producer) => producer.disconnect())
        .catch((error: unknown) => log.warn({ err: error }, "ingest producer disconnect failed"));
    })();
    return closing;
  };

  return { topics, send, close };
}

// On globalThis: Next may load this module in several route bundles, and dev reloads must reuse it.
const holder = globalThis as typeof globalThis & {
  __tickstreamIngestContext?: { context: IngestContext; override: boolean };
  __tickstreamIngestSignals?: boolean;
};

/** The process-wide context from config (created on first use; it connects on its first send). */
export function getIngestContext(): IngestContext {
  if (!holder.__tickstreamIngestContext) {
    const config = getConfig();
    const log = createLogger("ingest");
    const context = createIngestContext({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-ingest`,
      topicPrefix: config.kafka.topicPrefix,
      partitions: config.kafka.partitions,
      replicationFactor: config.kafka.replicationFactor,
      log,
    });
    holder.__tickstreamIngestContext = { context, override: false };
    if (!holder.__tickstreamIngestSignals) {
      holder.__tickstreamIngestSignals = true;
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        // Next's own handler exits once its server has closed; this lets sends in flight finish first.
        process.once(signal, () => void closeIngestContext().catch((error: unknown) => log.error({ err: error }, "ingest close failed")));
      }
    }
  }
  return holder.__tickstreamIngestContext.context;
}

/** Makes every ingest request of this process use `context` (tests); the caller closes it. */
export function setIngestContext(context: IngestContext | undefined): void {
  holder.__tickstreamIngestContext = context ? { context, override: true } : undefined;
}

/** Closes the shared context (process exit); a later call creates a new one. */
export async function closeIngestContext(): Promise<void> {
  const shared = holder.__tickstreamIngestContext;
  holder.__tickstreamIngestContext = undefined;
  if (!shared || shared.override) return;
  await shared.context.close();
}
