import pino from "pino";
import { describe, expect, it } from "vitest";
import { testLog } from "../test/helpers";
import { mergeExpositions, MetricsRegistry, PROMETHEUS_CONTENT_TYPE, registerProcessMetrics, startMetricsServer } from "./metrics";

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
        "# HELP lag Consumer lag.\\nPer partition.",
        "# TYPE lag gauge",
        'lag{partition="3"} 42',
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
    for (const value of [0.005, 0.05, 0.05, 0.5, 3]) latency.observe(value);
    const text = await registry.render();
    expect(text).toContain('write_seconds_bucket{le="0.01"} 1\nwrite_seconds_bucket{le="0.1"} 3\nwrite_seconds_bucket{le="1"} 4');
    expect(text).toContain('write_seconds_bucket{le="+Inf"} 5\nwrite_seconds_sum 3.605\nwrite_seconds_count 5');
  });

  it("refuses decreasing counters, bad names, duplicate metrics and unsorted buckets", () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter({ name: "c_total", help: "c" });
    expect(() => counter.inc(-1)).toThrow(RangeError);
    expect(() => registry.gauge({ name: "c_total", help: "again" })).toThrow(/already registered/);
    expect(() => registry.gauge({ name: "bad-name", help: "x" })).toThrow(/bad metric name/);
    expect(() => registry.histogram({ name: "h", help: "h", buckets: [1, 0.5] })).toThrow(/ascending/);
  });

  it("holds at most maxSeries label sets per metric", async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge({ name: "per_symbol", help: "x", labelNames: ["symbol"], maxSeries: 2 });
    for (const symbol of ["A", "B", "C"]) gauge.set(1, { symbol });
    expect(gauge.overflowed).toBe(true);
    expect((await registry.render()).match(/^per_symbol\{/gm)).toHaveLength(2);
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
  });
});

describe("mergeExpositions", () => {
  it("labels each sample with its process and writes each family once", () => {
    const worker = '# HELP t_total T.\n# TYPE t_total counter\nt_total{topic="a"} 1\n# HELP h H.\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n';
    const other = '# HELP t_total T.\n# TYPE t_total counter\nt_total{topic="a"} 5\n';
    expect(mergeExpositions([{ process: "w1", text: worker }, { process: "w2", text: other }])).toBe(
      [
        "# HELP t_total T.",
        "# TYPE t_total counter",
        't_total{process="w1",topic="a"} 1',
        't_total{process="w2",topic="a"} 5',
        "# HELP h H.",
        "# TYPE h histogram",
        'h_bucket{process="w1",le="+Inf"} 2',
        'h_sum{process="w1"} 3',
        'h_count{process="w1"} 2',
        "",
      ].join("\n"),
    );
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
