// Wires the stream processor to a kafkajs consumer group: eachBatch with manual offset resolution
// (resolve + commit only after the batch's writes succeeded), co-partitioned assignment, state
// dropped/restored on rebalance, pause while writes fail, a timer that closes idle symbols (only
// while fetching works: after an outage the backlog comes first), and a fatal failure handed to
// `onFatal` (the process exits; its supervisor restarts it). A short session timeout and leaving
// the group on stop move a dead or stopped worker's partitions in seconds.
// Optionally publishes live updates (off the commit path), registers the worker's metrics and
// scores volatility forecasts of the symbols of its trade partitions.
import type { Consumer, Kafka, Producer } from "kafkajs";
import type { CassandraStore } from "../../adapters/cassandra-store";
import type { AnomalySettings, StreamSettings } from "../../adapters/config";
import { keyPartitioner, topicPartitionCount, type TopicNames } from "../../adapters/kafka";
import type { Logger } from "../../adapters/logger";
import type { MetricsRegistry } from "../../adapters/metrics";
import type { Interval } from "../../core/intervals";
import { CoPartitionedAssigner } from "./co-partitioned-assigner";
import { createLivePublisher, type LivePublisher, type LivePublishFn } from "./live-publisher";
import { registerStreamMetrics } from "./stream-metrics";
import { createVolForecaster, type VolForecaster, type VolForecasterOptions } from "./vol-forecaster";
import { FatalStreamError } from "./stream-failures";
import { createStreamProcessor, type StreamProcessor, type WriteKind } from "./stream-processor";

export type StreamWorkerOptions = {
  kafka: Kafka;
  /** Idempotent producer for the DLQ (adapters/kafka connectProducer). */
  producer: Producer;
  store: CassandraStore;
  topics: TopicNames;
  settings: StreamSettings;
  intervals?: readonly Interval[];
  /** Anomaly detectors (config.anomaly); no anomaly scoring when absent. */
  anomaly?: AnomalySettings;
  log: Logger;
  /** Called once on a failure retrying cannot fix (kafkajs gave up restarting the consumer, or a fatal write error). */
  onFatal?: (error: Error) => void;
  /** Publishes live updates (e.g. publishLiveUpdates on a Redis connection); none when absent. */
  publishLive?: LivePublishFn;
  /** Registry the worker's metrics are registered on. */
  metrics?: MetricsRegistry;
  /** Live volatility forecasts with the newest vol_models versions; none when absent. */
  volForecast?: Omit<VolForecasterOptions, "store" | "log" | "publish">;
};

export type StreamWorker = {
  processor: StreamProcessor;
  consumer: Consumer;
  /** The live publisher, when `publishLive` was given. */
  live: LivePublisher | undefined;
  /** The volatility forecaster, when `volForecast` was given. */
  forecaster: VolForecaster | undefined;
  /**
   * Stops consuming and the idle timer (the in-flight batch finishes or is given up uncommitted),
   * then waits a little for queued live updates to go out.
   */
  stop(): Promise<void>;
};

/** Joins the consumer group and starts processing; resolves once the consumer runs. */
export async function startStreamWorker(options: StreamWorkerOptions): Promise<StreamWorker> {
  const { kafka, producer, store, topics, settings, log } = options;
  const live = options.publishLive ? createLivePublisher({ publish: options.publishLive, log }) : undefined;
  const lag = new Map<string, { topic: string; partition: number; lag: number }>();
  let observeWrite: ((kind: WriteKind, seconds: number) => void) | undefined;
  const processor = createStreamProcessor({
    store,
    topics,
    groupId: settings.groupId,
    settings,
    ...(options.intervals ? { intervals: options.intervals } : {}),
    ...(options.anomaly ? { anomaly: options.anomaly } : {}),
    log,
    sendDlq: async (records) => {
      await producer.send({
        topic: topics.dlq,
        messages: records.map((r) => ({ key: r.key, value: JSON.stringify(r.value) })),
      });
    },
    ...(live ? { onLiveUpdates: (updates) => live.offer(updates) } : {}),
    onWrite: (kind, seconds) => observeWrite?.(kind, seconds),
  });
  if (options.metrics) {
    observeWrite = registerStreamMetrics(options.metrics, {
      stats: () => processor.stats(),
      ...(live ? { liveStats: () => live.stats() } : {}),
      lag: () => lag.values(),
      openWindows: () => processor.openWindows(),
    }).observeWrite;
  }

  // Volatility forecasts: each worker scores the symbols of the trade partitions it holds (the
  // producers' key partitioner tells which), so N workers score each symbol once, not N times.
  const ownedTradePartitions = new Set<number>();
  let forecaster: (VolForecaster & { start(): void }) | undefined;
  if (options.volForecast) {
    const admin = kafka.admin();
    await admin.connect();
    const partitionOf = keyPartitioner(await topicPartitionCount(admin, topics.trades).finally(() => admin.disconnect()));
    forecaster = createVolForecaster({
      ...options.volForecast,
      store,
      log,
      owns: (symbol) => ownedTradePartitions.has(partitionOf(symbol)),
      ...(live ? { publish: (updates) => live.offer(updates) } : {}),
    });
  }

  const heartbeatIntervalMs = Math.max(250, Math.floor(settings.sessionTimeoutMs / 6));
  const consumer = kafka.consumer({
    groupId: settings.groupId,
    partitionAssigners: [CoPartitionedAssigner],
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs,
    rebalanceTimeout: Math.max(settings.sessionTimeoutMs * 2, 10_000),
    // A batch is at most this much per partition: bounds memory and the work lost on a crash.
    maxBytesPerPartition: settings.maxBatchBytes,
    // An idle fetch returns within this: the fetch-health clock below ticks at least this often.
    maxWaitTimeInMs: 500,
  });
  let fatal: Error | undefined;
  const failFatally = (error: Error) => {
    if (fatal) return;
    fatal = error;
    log.fatal({ err: error }, "stream worker cannot continue; exiting for the supervisor to restart it");
    options.onFatal?.(error);
  };
  // Fetch health: since when fetches have come back without a gap. An outage (a gap longer than
  // this) restarts the clock, so nothing counts as idle until the backlog after it was read.
  const FETCH_GAP_MS = 3_000;
  let lastFetchMs = 0;
  let fetchHealthySinceMs = Date.now();
  consumer.on(consumer.events.FETCH, () => {
    const nowMs = Date.now();
    if (nowMs - lastFetchMs > FETCH_GAP_MS) fetchHealthySinceMs = nowMs;
    lastFetchMs = nowMs;
  });
  let running = true;
  let paused = false;
  const subscribed = [topics.trades, topics.quotes, topics.prices];
  const setPaused = (value: boolean) => {
    if (value === paused) return;
    paused = value;
    // Back-pressure: nothing more is fetched while Cassandra (or the DLQ) refuses writes.
    if (value) consumer.pause(subscribed.map((topic) => ({ topic })));
    else consumer.resume(subscribed.map((topic) => ({ topic })));
  };
  const idleCtx = {
    heartbeat: () => Promise.resolve(),
    shouldAbandon: () => !running,
    // More records waiting (its last batch's offset lag): the partition is catching up after a slow
    // round or a rebalance pause, not idle; an idle close now would finalize windows mid-backlog.
    hasBacklog: (partition: number) => (lag.get(`${topics.trades}|${partition}`)?.lag ?? 0) > 0,
    // A stale fetch clock (the broker unreachable) also means "not idle".
    fetchHealthySinceMs: () => (Date.now() - lastFetchMs > FETCH_GAP_MS ? Date.now() : fetchHealthySinceMs),
  };

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assignment = event.payload.memberAssignment;
    log.info({ assignment, generation: event.payload.groupId }, "group joined");
    for (const [key, l] of lag) if (!(assignment[l.topic] ?? []).includes(l.partition)) lag.delete(key);
    ownedTradePartitions.clear();
    for (const partition of assignment[topics.trades] ?? []) ownedTradePartitions.add(partition);
    forecaster?.requestScoring();
    processor.assign(assignment, idleCtx).catch((error: unknown) => log.error({ err: error }, "restoring assigned partitions failed"));
  });
  consumer.on(consumer.events.CRASH, (event) => {
    log.error({ err: event.payload.error, restart: event.payload.restart }, "consumer crashed");
    if (!event.payload.restart) failFatally(event.payload.error);
  });

  await consumer.connect();
  await consumer.subscribe({ topics: subscribed, fromBeginning: true });
  await consumer.run({
    // Partitions are folded and written side by side: one's Cassandra round trip overlaps another's fold.
    partitionsConsumedConcurrently: settings.concurrentPartitions,
    eachBatchAutoResolve: false,
    autoCommit: true,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (!payload.isRunning() || payload.isStale() || fatal) return;
      let done: boolean;
      // kafkajs heartbeats only when asked: a round that outlasts the session (a loaded or slow
      // cluster) would cost the group this member and every member a rebalance. The bench on the
      // local 3-node cluster showed 2 workers in a loop of them. So heartbeat while the round
      // runs; kafkajs sends at most one per interval. A failed one (a rebalance began) stops the
      // keep-alive; the heartbeat after the round rejoins.
      const keepAlive = setInterval(() => {
        payload.heartbeat().catch((error: unknown) => {
          clearInterval(keepAlive);
          log.warn({ err: error, topic: batch.topic, partition: batch.partition }, "heartbeat during a round failed");
        });
      }, heartbeatIntervalMs);
      try {
        done = await processor.processBatch(
          { topic: batch.topic, partition: batch.partition, messages: batch.messages },
          {
            heartbeat: () => payload.heartbeat(),
            shouldAbandon: () => !running || !payload.isRunning() || payload.isStale(),
            onBackpressure: setPaused,
          },
        );
      } catch (error) {
        if (!(error instanceof FatalStreamError)) throw error;
        // Nothing of this batch is committed; the restarted process replays it.
        failFatally(error);
        return;
      } finally {
        clearInterval(keepAlive);
      }
      setPaused(false);
      if (!done) return;
      lag.set(`${batch.topic}|${batch.partition}`, {
        topic: batch.topic,
        partition: batch.partition,
        lag: Math.max(0, Number(batch.offsetLag())),
      });
      const last = batch.messages[batch.messages.length - 1];
      if (last) payload.resolveOffset(last.offset);
      try {
        await payload.commitOffsetsIfNecessary();
      } catch (error) {
        // The writes are done and idempotent: a replay after a lost commit changes nothing.
        log.warn({ err: error, topic: batch.topic, partition: batch.partition }, "offset commit failed; batch may be replayed");
      }
      await payload.heartbeat();
    },
  });

  const idleEveryMs = Math.max(100, Math.min(1_000, Math.floor(settings.idleCloseMs / 4)));
  const statsEveryMs = 10_000;
  let lastStatsMs = Date.now();
  const timer = setInterval(() => {
    processor.closeIdle(idleCtx).catch((error: unknown) => {
      if (error instanceof FatalStreamError) failFatally(error);
      else log.error({ err: error }, "idle close failed");
    });
    if (Date.now() - lastStatsMs >= statsEveryMs) {
      lastStatsMs = Date.now();
      log.info({ stats: processor.stats(), live: live?.stats(), openWindows: Object.fromEntries(processor.openWindows()) }, "stream stats");
    }
  }, idleEveryMs);
  timer.unref();

  forecaster?.start();

  return {
    processor,
    consumer,
    live,
    forecaster,
    async stop() {
      running = false;
      clearInterval(timer);
      await forecaster?.stop();
      // Leaves the group: the partitions move at once instead of after the session timeout.
      await consumer.disconnect();
      if (live && !(await live.flush(5_000))) log.warn({ stats: live.stats() }, "live updates still queued at stop; left unsent");
    },
  };
}
