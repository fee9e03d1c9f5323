// Stream worker process: `tsx workers/stream/main.ts`. Joins consumer group STREAM_GROUP_ID and
// turns the tick topics into raw ticks, candles and latest state in Cassandra. Run any number.
import { connectCassandra } from "../../adapters/cassandra";
import { createCassandraStore } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { applicationTopics, connectProducer, createKafka, ensureTopics, topicNames } from "../../adapters/kafka";
import { createLifecycle, handleProcessSignals } from "../../adapters/lifecycle";
import { createLogger } from "../../adapters/logger";
import { startStreamWorker } from "./start-stream-worker";

const config = getConfig();
const log = createLogger("stream-worker");
const lifecycle = createLifecycle(log);
handleProcessSignals(lifecycle, log);

const topics = topicNames(config.kafka.topicPrefix);
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-stream`, log });

const admin = kafka.admin();
await admin.connect();
try {
  await ensureTopics(admin, applicationTopics(config.kafka.partitions, config.kafka.replicationFactor, topics));
} finally {
  await admin.disconnect();
}

const client = await connectCassandra({
  contactPoints: config.cassandra.contactPoints,
  localDataCenter: config.cassandra.localDataCenter,
  log,
});
lifecycle.onClose("cassandra", () => client.shutdown());
const store = createCassandraStore(client, config.cassandra.keyspace, { concurrency: config.stream.writeConcurrency });

const producer = await connectProducer(kafka);
lifecycle.onClose("dlq producer", () => producer.disconnect());

const worker = await startStreamWorker({
  kafka,
  producer,
  store,
  topics,
  settings: config.stream,
  log,
  onFatal: () => {
    void lifecycle.close().finally(() => process.exit(1));
  },
});
lifecycle.onClose("stream consumer", () => worker.stop());
log.info({ topics, group: config.stream.groupId, keyspace: config.cassandra.keyspace }, "stream worker running");
