// Prometheus metrics of a stream worker: the processor's and live publisher's totals mirrored at
// collect time, consumer lag per topic/partition as last reported by kafkajs batches, and the
// duration of each successful write round.
import { LATENCY_BUCKETS_S, type MetricsRegistry } from "../../adapters/metrics";
import type { LivePublisherStats } from "./live-publisher";
import type { StreamStats, WriteKind } from "./stream-processor";

export type StreamMetricsSource = {
  stats(): Readonly<StreamStats>;
  liveStats?(): Readonly<LivePublisherStats>;
  /** Messages behind the high watermark, per currently assigned topic/partition. */
  lag(): Iterable<{ topic: string; partition: number; lag: number }>;
  /** Windows held in memory, per trades partition. */
  openWindows(): Map<number, number>;
};

export type StreamMetrics = {
  observeWrite: (kind: WriteKind, seconds: number) => void;
};

/** Registers the stream worker's metrics on `registry`, read from `source` at each render. */
export function registerStreamMetrics(registry: MetricsRegistry, source: StreamMetricsSource): StreamMetrics {
  const ticksIn = registry.counter({
    name: "tickstream_stream_ticks_in_total",
    help: "Valid ticks folded, by kind (trades, quotes, prices).",
    labelNames: ["kind"],
  });
  registry.mirrorTotals(() => source.stats(), {
    tickstream_stream_dlq_total: { help: "Invalid messages sent to the DLQ.", of: (s) => s.dlq },
    tickstream_stream_late_total: { help: "Trades that arrived after their window's watermark and corrected it.", of: (s) => s.lateTrades },
    tickstream_stream_candles_written_total: { help: "Candle rows written (provisional and final).", of: (s) => s.candleRowsWritten },
    tickstream_stream_final_candles_written_total: { help: "Candle rows written final.", of: (s) => s.finalCandlesWritten },
    tickstream_stream_write_retries_total: {
      help: "Failed Cassandra/DLQ writes that were retried (the consumer paused meanwhile).",
      of: (s) => s.writeRetries,
    },
    tickstream_stream_abandoned_batches_total: {
      help: "Batches given up uncommitted (rebalance or shutdown); they are replayed.",
      of: (s) => s.abandonedBatches,
    },
  });
  registry.mirrorTotals(() => source.liveStats?.(), {
    tickstream_stream_live_publish_errors_total: {
      help: "Failed publishes to the live channel (their updates are dropped, not retried).",
      of: (s) => s.errors,
    },
    tickstream_stream_live_updates_published_total: { help: "Live updates the live channel accepted.", of: (s) => s.published },
    tickstream_stream_live_updates_dropped_total: {
      help: "Live updates lost (failed publish, or the channel too slow).",
      of: (s) => s.dropped,
    },
  });
  const lag = registry.gauge({
    name: "tickstream_stream_consumer_lag",
    help: "Messages behind the partition's high watermark after the last batch.",
    labelNames: ["topic", "partition"],
  });
  const openWindows = registry.gauge({ name: "tickstream_stream_open_windows", help: "Candle windows held in memory." });
  const writeSeconds = registry.histogram({
    name: "tickstream_stream_write_seconds",
    help: "Duration of a successful round of Cassandra writes, by what it covered (trades, quotes, prices, idle).",
    labelNames: ["kind"],
    buckets: LATENCY_BUCKETS_S,
  });

  registry.onCollect(() => {
    const s = source.stats();
    ticksIn.setTotal(s.trades, { kind: "trades" });
    ticksIn.setTotal(s.quotes, { kind: "quotes" });
    ticksIn.setTotal(s.prices, { kind: "prices" });
    // Refilled each time, so partitions this worker lost stop being reported.
    lag.reset();
    for (const l of source.lag()) lag.set(l.lag, { topic: l.topic, partition: l.partition });
    openWindows.set([...source.openWindows().values()].reduce((sum, n) => sum + n, 0));
  });

  return { observeWrite: (kind, seconds) => writeSeconds.observe(seconds, { kind }) };
}
