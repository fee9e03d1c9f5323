// What every feed process starts with: config, logger, signal-driven lifecycle, the topics (created
// if missing) and an idempotent producer closed on shutdown. A feed started while Kafka is down
// waits for it (and says so) instead of exiting.
import type { Producer } from "kafkajs";
import { getConfig, type AppConfig } from "../../adapters/config";
import { applicationTopics, connectProducer, createKafka, ensureTopics, topicNames, type TopicNames } from "../../adapters/kafka";
import { createLifecycle, handleProcessSignals, type Lifecycle } from "../../adapters/lifecycle";
import { createLogger, type Logger } from "../../adapters/logger";
import { waitForKafka } from "./wait-for-kafka";

export interface Feed {
  config: AppConfig;
  log: Logger;
  lifecycle: Lifecycle;
  topics: TopicNames;
  producer: Producer;
  /** Aborted when the process is asked to stop: ends a wait for Kafka. */
  signal: AbortSignal;
}

/** Connects a feed named `name` (used in logs and the Kafka client id). */
export async function startFeed(name: string): Promise<Feed> {
  const config = getConfig();
  const log = createLogger(`feed-${name}`);
  const lifecycle = createLifecycle(log);
  handleProcessSignals(lifecycle, log);
  const stopping = new AbortController();
  lifecycle.onClose("stop waiting", () => stopping.abort());
  const topics = topicNames(config.kafka.topicPrefix);
  // Few retries inside kafkajs: a failed send comes back within about a second, and the feed's own
  // loop (waitForKafka) resends it for as long as the outage lasts, logging what it waits for.
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-${name}`,
    log,
    retries: 2,
    libraryLogsAtDebug: true,
  });
  const waiting = { log, signal: stopping.signal };
  await waitForKafka(
    "creating the topics",
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await ensureTopics(admin, applicationTopics(config.kafka.partitions, config.kafka.replicationFactor, topics));
      } finally {
        await admin.disconnect();
      }
    },
    waiting,
  );
  const producer = await waitForKafka("connecting the producer", () => connectProducer(kafka), waiting);
  lifecycle.onClose("producer", () => producer.disconnect());
  return { config, log, lifecycle, topics, producer, signal: stopping.signal };
}
