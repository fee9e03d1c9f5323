import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../adapters/metrics";
import { registerStreamMetrics } from "./stream-metrics";
import type { StreamStats } from "./stream-processor";

const stats: StreamStats = {
  batches: 4,
  messages: 20,
  trades: 12,
  quotes: 5,
  prices: 1,
  dlq: 2,
  lateTrades: 3,
  duplicateTrades: 0,
  duplicatesSkipped: 0,
  symbolsRestored: 0,
  candleRowsWritten: 30,
  finalCandlesWritten: 9,
  writeRetries: 1,
  abandonedBatches: 0,
  idleCloses: 0,
  lastWriteMs: 4,
};

describe("stream worker metrics", () => {
  it("mirrors the processor and live publisher totals, lag per assigned partition and write durations", async () => {
    const registry = new MetricsRegistry();
    let lag = [
      { topic: "market.trades", partition: 0, lag: 7 },
      { topic: "market.quotes", partition: 0, lag: 0 },
    ];
    const metrics = registerStreamMetrics(registry, {
      stats: () => stats,
      liveStats: () => ({ published: 40, errors: 2, dropped: 6, conflated: 11 }),
      lag: () => lag,
      openWindows: () =>
        new Map([
          [0, 3],
          [1, 2],
        ]),
    });
    metrics.observeWrite("trades", 0.004);
    metrics.observeWrite("trades", 0.3);

    const text = await registry.render();
    expect(text).toContain('tickstream_stream_ticks_in_total{kind="trades"} 12');
    expect(text).toContain('tickstream_stream_ticks_in_total{kind="quotes"} 5');
    expect(text).toContain("tickstream_stream_dlq_total 2");
    expect(text).toContain("tickstream_stream_late_total 3");
    expect(text).toContain("tickstream_stream_candles_written_total 30");
    expect(text).toContain("tickstream_stream_live_publish_errors_total 2");
    expect(text).toContain("tickstream_stream_live_updates_dropped_total 6");
    expect(text).toContain('tickstream_stream_consumer_lag{topic="market.trades",partition="0"} 7');
    expect(text).toContain("tickstream_stream_open_windows 5");
    expect(text).toContain('tickstream_stream_write_seconds_bucket{le="0.005",kind="trades"} 1');
    expect(text).toContain('tickstream_stream_write_seconds_count{kind="trades"} 2');

    lag = [{ topic: "market.trades", partition: 1, lag: 0 }];
    const after = await registry.render();
    expect(after).not.toContain('partition="0"');
    expect(after).toContain('tickstream_stream_consumer_lag{topic="market.trades",partition="1"} 0');
  });
});
