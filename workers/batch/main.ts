// Batch worker process: `tsx workers/batch/main.ts`. Processes the `batch` queue (rollup,
// data-quality, archive, recompute, training) against Cassandra and HDFS and, unless
// BATCH_SCHEDULES=off, upserts the daily job schedulers at start. Run any number; a job whose
// worker dies is picked up after its lock lapses.
import { connectCassandra } from "../../adapters/cassandra";
import { createCassandraStore } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { WebHdfsClient } from "../../adapters/hdfs";
import { createLifecycle, handleProcessSignals } from "../../adapters/lifecycle";
import { createLogger } from "../../adapters/logger";
import { createQueue, isCancelRequested, QUEUES } from "../../adapters/queues";
import { createVolModelStore } from "../../adapters/vol-model-store";
import { createRedis } from "../../adapters/redis";
import { BATCH_JOB_OPTIONS, BATCH_JOBS, type TrainVolatilityPayload } from "../../core/batch-jobs";
import { upsertBatchSchedules } from "./schedules";
import { startBatchWorker } from "./start-batch-worker";

const config = getConfig();
const log = createLogger("batch-worker");
const lifecycle = createLifecycle(log);
handleProcessSignals(lifecycle, log);

const PREFIX = config.batch.queuePrefix;

const client = await connectCassandra({
  contactPoints: config.cassandra.contactPoints,
  localDataCenter: config.cassandra.localDataCenter,
  log,
});
lifecycle.onClose("cassandra", () => client.shutdown());
const store = createCassandraStore(client, config.cassandra.keyspace);
const volModels = createVolModelStore(client, config.cassandra.keyspace);

// The worker connection waits through Redis outages; the queue connection (schedules) fails fast.
const workerRedis = createRedis(config.redis.url, "worker", log);
lifecycle.onClose("worker redis", () => workerRedis.disconnect());
const queueRedis = createRedis(config.redis.url, "client", log);
lifecycle.onClose("queue redis", () => queueRedis.disconnect());

if (config.batch.schedules) {
  const queue = createQueue(
    QUEUES.batch,
    { connection: queueRedis, prefix: PREFIX },
    { defaultJobOptions: { ...BATCH_JOB_OPTIONS, backoff: { ...BATCH_JOB_OPTIONS.backoff } } },
  );
  try {
    await upsertBatchSchedules(queue, config.batch);
    log.info(
      {
        rollupCron: config.batch.rollupCron,
        dataQualityCron: config.batch.dataQualityCron,
        trainVolatilityCron: config.batch.trainVolatilityCron,
        archiveCron: config.batch.archiveCron,
      },
      "batch schedules upserted",
    );
    // Symbols without a volatility model (a fresh stack: all; later, new ones such as the
    // simulator's) are trained soon rather than at the next cron: after a minute, so the feeds
    // started alongside have listed their symbols; symbols with a model are left to the cron.
    const job = await queue.add(BATCH_JOBS.trainVolatility, { asOf: "previous", missingOnly: true } satisfies TrainVolatilityPayload, {
      delay: 60_000,
    });
    log.info({ jobId: job.id }, "training of symbols without a volatility model enqueued");
  } finally {
    await queue.close();
  }
}

const worker = startBatchWorker(
  { connection: workerRedis, prefix: PREFIX },
  {
    store,
    log,
    isCancelled: (jobId) => isCancelRequested(workerRedis, QUEUES.batch, jobId, PREFIX),
    nowMs: Date.now,
    volModels,
    archive: { hdfs: new WebHdfsClient({ baseUrl: config.hdfs.webhdfsUrl, user: config.hdfs.user }), root: config.hdfs.archiveRoot },
    dataQuality: {
      gapThresholdMs: config.batch.gapThresholdMs,
      outlierSpreads: config.batch.outlierSpreads,
      quoteToleranceMs: config.stream.joinToleranceMs,
    },
  },
  config.batch,
);
// Registered last, so it closes first: waits for active jobs, then the connections go.
lifecycle.onClose("batch worker", () => worker.close());
await worker.waitUntilReady();
log.info({ keyspace: config.cassandra.keyspace, queue: QUEUES.batch, concurrency: config.batch.concurrency }, "batch worker running");
