// npm run topics:create — creates the application's Kafka topics that do not exist yet.
import { pathToFileURL } from "node:url";
import { getConfig, type AppConfig } from "../adapters/config";
import { applicationTopics, createKafka, ensureTopics, topicNames } from "../adapters/kafka";
import { createLogger } from "../adapters/logger";

export async function createApplicationTopics(config: AppConfig = getConfig()): Promise<string[]> {
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-admin`,
    log: createLogger("topics"),
    security: config.kafka.security,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(
      admin,
      applicationTopics(
        config.kafka.partitions,
        config.kafka.replicationFactor,
        topicNames(config.kafka.topicPrefix),
        config.kafka.minInsyncReplicas,
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  createApplicationTopics()
    .then((created) => console.log(`topics: ${created.length ? `created ${created.join(", ")}` : "all exist"}`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
