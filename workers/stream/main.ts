// Stream worker process: `tsx workers/stream/main.ts`. Joins consumer group STREAM_GROUP_ID and
// turns the tick topics into raw ticks, candles, indicators and latest state in Cassandra, publishes
// live updates to the Redis live stream and its metrics to Redis (and METRICS_PORT). Run any number.
import os from "node:os";
import { connectCassandra } from "../../adapters/cassandra";
import { createCassandraStore } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { applicationTopics, connectProducer, createKafka, ensureTopics, topicNames } from "../../adapters/kafka";
import { createLifecycle, handleProcessSignals } from "../../adapters/lifecycle";
import { publishLiveUpdates } from "../../adapters/live-channel";
import { createLogger } from "../../adapters/logger";
import { MetricsRegistry, registerProcessMetrics, startMetricsPublisher, startMetricsServer } from "../../adapters/metrics";
import { createRedis } from "../../adapters/redis";
import { createVolModelStore } from "../../adapters/vol-model-store";
import { startStreamWorker } from "./start-stream-worker";

const config = getConfig();
const log = createLogger("stream-worker");
const lifecycle = createLifecycle(log);
handleProcessSignals(lifecycle, log);

const topics = topicNames(config.kafka.topicPrefix);

/** True when `promise` settled within `ms`; a cleanup waiting on a down Redis must not hang the exit. */
const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref()),
  ]);

// Live updates and metrics snapshots. A worker connection waits through Redis outages; the live
// publisher keeps at most one publish in flight, so the wait never reaches the offset commits.
const redis = createRedis(config.redis.url, "worker", log);
lifecycle.onClose("redis", async () => {
  if (!(await settlesWithin(redis.quit(), 2_000))) redis.disconnect();
});
const metrics = new MetricsRegistry(log);
registerProcessMetrics(metrics);
const processName = `stream-${os
  .hostname()
  .replace(/[^A-Za-z0-9._-]/g, "-")
  .slice(0, 60)}-${process.pid}`;

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
const store = createCassandraStore(client, config.cassandra.keyspace, {
  concurrency: config.stream.writeConcurrency,
  batchBytes: config.stream.writeBatchBytes,
  rawTtlSeconds: config.stream.rawTtlDays * 86_400,
});

const producer = await connectProducer(kafka);
lifecycle.onClose("dlq producer", () => producer.disconnect());

const worker = await startStreamWorker({
  kafka,
  producer,
  store,
  topics,
  settings: config.stream,
  anomaly: config.anomaly,
  log,
  onFatal: () => {
    void lifecycle.close().finally(() => process.exit(1));
  },
  publishLive: (updates) => publishLiveUpdates(redis, updates, { maxLen: config.live.streamMaxLen }),
  metrics,
  volForecast: {
    models: createVolModelStore(client, config.cassandra.keyspace),
    refreshMs: config.volForecast.modelRefreshMs,
    maxSymbols: config.volForecast.maxSymbols,
  },
});
lifecycle.onClose("stream consumer", () => worker.stop());

const metricsPublisher = startMetricsPublisher(redis, processName, metrics, { intervalMs: config.metrics.snapshotIntervalMs, log });
lifecycle.onClose("metrics publisher", async () => {
  if (!(await settlesWithin(metricsPublisher.stop(), 2_000))) log.warn("metrics snapshot still in flight at exit; left");
});
if (config.metrics.port !== undefined) {
  const server = await startMetricsServer(config.metrics.port, metrics, log);
  lifecycle.onClose("metrics server", () => server.close());
}
log.info({ topics, group: config.stream.groupId, keyspace: config.cassandra.keyspace, metrics: processName }, "stream worker running");
