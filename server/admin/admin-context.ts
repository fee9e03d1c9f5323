// What the admin server functions run against: the batch queue, a Redis connection (cancellation
// flags), Kafka, WebHDFS and Cassandra. The web process shares one lazily built context; tests
// build their own (random queue prefix, topic prefix, keyspace) with createAdminContext.
import type { Queue } from "bullmq";
import type { Kafka } from "kafkajs";
import { getConfig } from "../../adapters/config";
import { WebHdfsClient } from "../../adapters/hdfs";
import { createKafka, topicNames, type TopicNames } from "../../adapters/kafka";
import { createLogger, type Logger } from "../../adapters/logger";
import { createQueue, QUEUES } from "../../adapters/queues";
import { createRedis, type Redis } from "../../adapters/redis";
import { BATCH_JOB_OPTIONS } from "../../core/batch-jobs";
import { getQueryContext, type QueryContext } from "../context";

export interface AdminContext {
  queue: Queue;
  /** Any connection to the queue's Redis: cancellation flags (adapters/queues cancelJob). */
  redis: Redis;
  kafka: Kafka;
  topics: TopicNames;
  /** The stream workers' consumer group (only read, never joined). */
  groupId: string;
  hdfs: WebHdfsClient;
  archiveRoot: string;
  db: () => Promise<QueryContext>;
  nowMs: () => number;
  log: Logger;
}

export interface AdminContextOptions {
  /** BullMQ key prefix; default: the batch worker's (BATCH_QUEUE_PREFIX). */
  queuePrefix?: string;
  topicPrefix?: string;
  groupId?: string;
  archiveRoot?: string;
  db?: () => Promise<QueryContext>;
}

/** A context over the configured servers; `close()` releases its connections. */
export function createAdminContext(options: AdminContextOptions = {}): AdminContext & { close(): Promise<void> } {
  const config = getConfig();
  const log = createLogger("admin");
  // Request/response paths fail fast when Redis is down (the page shows the error).
  const redis = createRedis(config.redis.url, "client", log);
  const queue = createQueue(
    QUEUES.batch,
    { connection: redis, prefix: options.queuePrefix ?? config.batch.queuePrefix },
    { defaultJobOptions: { ...BATCH_JOB_OPTIONS, backoff: { ...BATCH_JOB_OPTIONS.backoff } } },
  );
  queue.on("error", (error) => log.warn({ err: error }, "batch queue error"));
  return {
    queue,
    redis,
    kafka: createKafka({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-admin`,
      log,
      retries: 1,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 10_000,
    }),
    topics: topicNames(options.topicPrefix ?? config.kafka.topicPrefix),
    groupId: options.groupId ?? config.stream.groupId,
    hdfs: new WebHdfsClient({ baseUrl: config.hdfs.webhdfsUrl, user: config.hdfs.user, timeoutMs: 10_000 }),
    archiveRoot: options.archiveRoot ?? config.hdfs.archiveRoot,
    db: options.db ?? getQueryContext,
    nowMs: Date.now,
    log,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

// On globalThis so that Next's module reloads and separate route bundles share one context.
const holder = globalThis as typeof globalThis & { __tickstreamAdminContext?: AdminContext };

/** The web process's admin context, built on first use. */
export function getAdminContext(): AdminContext {
  holder.__tickstreamAdminContext ??= createAdminContext();
  return holder.__tickstreamAdminContext;
}

/** Makes the route handlers of this process use `context` (their tests); the caller closes it. */
export function setAdminContext(context: AdminContext | undefined): void {
  holder.__tickstreamAdminContext = context;
}
