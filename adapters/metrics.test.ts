import pino from "pino";
import { describe, expect, it } from "vitest";
import { testLog } from "../test/helpers";
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE, registerProcessMetrics, renderMergedMetrics, startMetricsServer } from "./metrics";

describe("MetricsRegistry", () => {
  it("renders counters, gauges and labelled series in the Prometheus text format", async () => {
    const registry = new MetricsRegistry();
    const ticks = registry.counter({ name: "ticks_in_total", help: "Ticks read.", labelNames: ["topic"] });
    const lag = registry.gauge({ name: "lag", help: "Consumer lag.\nPer partition.", labelNames: ["partition"] });
    registry.counter({ name: "dlq_total", help: "Sent to the DLQ." });
    ticks.inc(2, { topic: "market.trades" });
    ticks.inc(1, { topic: "market.trades" });
    ticks.inc(5, { topic: 'we"ird\\' });
    lag.set(42, { partition: 3 });
    expect(await registry.render()).toBe(
      [
        "# HELP ticks_in_total Ticks read.",
        "# TYPE ticks_in_total counter",
        'ticks_in_total{topic="market.trades"} 3',
        'ticks_in_total{topic="we\\"ird\\\\"} 5',
        "",
        "# HELP lag Consumer lag.\\nPer partition.",
        "# TYPE lag gauge",
        'lag{partition="3"} 42',
        "",
        "# HELP dlq_total Sent to the DLQ.",
        "# TYPE dlq_total counter",
        "dlq_total 0",
        "",
      ].join("\n"),
    );
  });

  it("renders histograms with cumulative buckets, +Inf, sum and count", async () => {
    const registry = new MetricsRegistry();
    const latency = registry.histogram({ name: "write_seconds", help: "Write latency.", buckets: [0.01, 0.1, 1] });
    for (const value of [0.005, 0.05, 0.05, 0.5, 3, Number.NaN]) latency.observe(value);
    const text = await registry.render();
    expect(text).toContain('write_seconds_bucket{le="0.01"} 1\nwrite_seconds_bucket{le="0.1"} 3\nwrite_seconds_bucket{le="1"} 4');
    expect(text).toContain('write_seconds_bucket{le="+Inf"} 5\nwrite_seconds_sum 3.605\nwrite_seconds_count 5');
  });

  it("mirrors totals kept elsewhere into counters, per label set", async () => {
    const registry = new MetricsRegistry();
    const sent = registry.counter({ name: "sent_total", help: "s" });
    const byReason = registry.counter({ name: "by_reason_total", help: "r", labelNames: ["reason"] });
    sent.setTotal(4);
    sent.setTotal(9);
    byReason.setTotal(2, { reason: "gap" });
    byReason.setTotal(3, { reason: "overflow" });
    byReason.setTotal(6, { reason: "gap" });
    const text = await registry.render();
    expect(text).toMatch(/^sent_total 9$/m);
    expect(text).toMatch(/^by_reason_total\{reason="gap"\} 6$/m);
    expect(text).toMatch(/^by_reason_total\{reason="overflow"\} 3$/m);
  });

  it("keeps mirrored totals equal to a stats object's at each render, and as they were while it is unavailable", async () => {
    const registry = new MetricsRegistry();
    let stats: { sent: number; dropped: number } | undefined = { sent: 3, dropped: 0 };
    registry.mirrorTotals(() => stats, {
      sent_total: { help: "s", of: (s) => s.sent },
      dropped_total: { help: "d", of: (s) => s.dropped },
    });
    expect(await registry.render()).toMatch(/^sent_total 3$/m);
    stats = { sent: 8, dropped: 2 };
    let text = await registry.render();
    expect(text).toMatch(/^sent_total 8$/m);
    expect(text).toMatch(/^dropped_total 2$/m);
    stats = undefined;
    text = await registry.render();
    expect(text).toMatch(/^sent_total 8$/m);
    expect(text).toMatch(/^# HELP dropped_total d$/m);
  });

  it("refuses decreasing counters, bad names, duplicate metrics and unsorted buckets", () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter({ name: "c_total", help: "c" });
    expect(() => counter.inc(-1)).toThrow(RangeError);
    expect(() => counter.setTotal(Number.NaN)).toThrow(RangeError);
    expect(() => registry.gauge({ name: "c_total", help: "again" })).toThrow(/already been registered/);
    expect(() => registry.gauge({ name: "bad-name", help: "x" })).toThrow(/Invalid metric name/);
    expect(() => registry.histogram({ name: "h", help: "h", buckets: [1, 0.5] })).toThrow(/ascending/);
  });

  it("holds at most maxSeries label sets per metric, and frees them on reset", async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge({ name: "per_symbol", help: "x", labelNames: ["symbol"], maxSeries: 2 });
    for (const symbol of ["A", "B", "C"]) gauge.set(1, { symbol });
    expect(gauge.overflowed).toBe(true);
    expect((await registry.render()).match(/^per_symbol\{/gm)).toHaveLength(2);
    gauge.reset();
    gauge.set(5, { symbol: "C" });
    expect(await registry.render()).toMatch(/^per_symbol\{symbol="C"\} 5$/m);
  });

  it("runs collectors before rendering and still renders when one throws", async () => {
    const registry = new MetricsRegistry(pino({ level: "silent" }));
    const gauge = registry.gauge({ name: "g", help: "g" });
    registry.onCollect(() => gauge.set(7));
    registry.onCollect(() => {
      throw new Error("source down");
    });
    registerProcessMetrics(registry);
    const text = await registry.render();
    expect(text).toContain("\ng 7\n");
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^process_cpu_seconds_total [\d.]+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
  });

  it("snapshots every metric as JSON that survives a round trip and does not alias the live registry", async () => {
    const registry = new MetricsRegistry();
    const lag = registry.gauge({ name: "lag", help: "l", labelNames: ["partition"] });
    lag.set(3, { partition: 0 });
    const snapshot = await registry.snapshot();
    expect(snapshot).toEqual([{ name: "lag", help: "l", type: "gauge", values: [{ value: 3, labels: { partition: 0 } }] }]);
    const copy = snapshot[0]?.values[0];
    if (copy) copy.labels.partition = 9;
    expect(await registry.render()).toMatch(/^lag\{partition="0"\} 3$/m);
  });
});

describe("renderMergedMetrics", () => {
  it("labels each series with its process and writes each family once", async () => {
    const worker = new MetricsRegistry();
    worker.counter({ name: "t_total", help: "T.", labelNames: ["topic"] }).inc(1, { topic: "a" });
    worker.histogram({ name: "h", help: "H.", buckets: [1] }).observe(0.5);
    const other = new MetricsRegistry();
    other.counter({ name: "t_total", help: "T.", labelNames: ["topic"] }).inc(5, { topic: "a" });
    // A start time uses prom-client's 'omit' aggregator; merging must keep every process's value.
    registerProcessMetrics(other);

    const text = await renderMergedMetrics([
      { process: "w1", metrics: await worker.snapshot() },
      { process: "w2", metrics: await other.snapshot() },
    ]);
    expect(text).toContain(
      [
        "# HELP t_total T.",
        "# TYPE t_total counter",
        't_total{process="w1",topic="a"} 1',
        't_total{process="w2",topic="a"} 5',
        "",
        "# HELP h H.",
        "# TYPE h histogram",
        'h_bucket{process="w1",le="1"} 1',
        'h_bucket{process="w1",le="+Inf"} 1',
        'h_sum{process="w1"} 0.5',
        'h_count{process="w1"} 1',
      ].join("\n"),
    );
    expect(text.match(/^# TYPE t_total /gm)).toHaveLength(1);
    expect(text).toMatch(/^process_start_time_seconds\{process="w2"\} \d+$/m);
  });

  it("keeps a process label a series already has", async () => {
    const registry = new MetricsRegistry();
    registry.gauge({ name: "up", help: "u", labelNames: ["process"] }).set(1, { process: "child" });
    expect(await renderMergedMetrics([{ process: "parent", metrics: await registry.snapshot() }])).toMatch(/^up\{process="child"\} 1$/m);
  });
});

describe("startMetricsServer", () => {
  it("serves the registry at /metrics on loopback and 404 elsewhere", async () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: "served_total", help: "s" }).inc(3);
    const server = await startMetricsServer(0, registry, testLog);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(await response.text()).toContain("served_total 3");
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
