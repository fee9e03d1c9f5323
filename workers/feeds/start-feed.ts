// What every feed process starts with: config, logger, signal-driven lifecycle, the topics (created
// if missing) and an idempotent producer closed on shutdown.
import type { Producer } from "kafkajs";
import { getConfig, type AppConfig } from "../../adapters/config";
import { applicationTopics, connectProducer, createKafka, ensureTopics, topicNames, type TopicNames } from "../../adapters/kafka";
import { createLifecycle, handleProcessSignals, type Lifecycle } from "../../adapters/lifecycle";
import { createLogger, type Logger } from "../../adapters/logger";

export interface Feed {
  config: AppConfig;
  log: Logger;
  lifecycle: Lifecycle;
  topics: TopicNames;
  producer: Producer;
}

/** Connects a feed named `name` (used in logs and the Kafka client id). */
export async function startFeed(name: string): Promise<Feed> {
  const config = getConfig();
  const log = createLogger(`feed-${name}`);
  const lifecycle = createLifecycle(log);
  handleProcessSignals(lifecycle, log);
  const topics = topicNames(config.kafka.topicPrefix);
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-${name}`, log });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, applicationTopics(config.kafka.partitions, config.kafka.replicationFactor, topics)).finally(() => admin.disconnect());
  const producer = await connectProducer(kafka);
  lifecycle.onClose("producer", () => producer.disconnect());
  return { config, log, lifecycle, topics, producer };
}
