import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "../../../adapters/config";
import { MetricsRegistry, publishMetricsSnapshot } from "../../../adapters/metrics";
import { createRedis } from "../../../adapters/redis";
import { GET } from "./route";
import { eventually, testLog, uniqueName } from "../../../test/helpers";
import { getSseHub } from "../../../server/live/sse-hub";

const redis = createRedis(getConfig().redis.url, "client", testLog);

afterAll(async () => {
  await getSseHub().close();
  await redis.quit();
});

describe("GET /api/metrics", () => {
  it("serves the web process's metrics and every live worker snapshot, labelled by process", async () => {
    const worker = uniqueName("stream-test");
    const workerMetrics = new MetricsRegistry(testLog);
    workerMetrics.counter({ name: "tickstream_test_ticks_total", help: "T.", labelNames: ["topic"] }).inc(7, { topic: "t" });
    workerMetrics
      .histogram({ name: "tickstream_test_write_seconds", help: "W.", labelNames: ["kind"], buckets: [0.01, 0.1] })
      .observe(0.05, { kind: "trades" });
    await publishMetricsSnapshot(redis, worker, await workerMetrics.snapshot(), 1_500);

    const response = await GET();
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text).toMatch(/^tickstream_sse_clients\{process="web-[^"]+"\} 0$/m);
    expect(text).toMatch(/^tickstream_sse_events_conflated_total\{process="web-[^"]+"\} \d+$/m);
    expect(text).toMatch(/^tickstream_service_up\{process="web-[^"]+",service="redis"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes\{process="web-[^"]+"\} \d+$/m);
    expect(text).toMatch(/^process_start_time_seconds\{process="web-[^"]+"\} \d+$/m);
    expect(text).toContain(`tickstream_test_ticks_total{process="${worker}",topic="t"} 7`);
    expect(text).toContain(`tickstream_test_write_seconds_bucket{process="${worker}",le="0.1",kind="trades"} 1`);
    expect(text).toContain(`tickstream_test_write_seconds_count{process="${worker}",kind="trades"} 1`);
    // Each family once, whatever the number of processes.
    expect(text.match(/^# TYPE tickstream_sse_clients /gm)).toHaveLength(1);

    await eventually(async () => !(await (await GET()).text()).includes(worker), "the dead worker's snapshot to expire", 10_000);
  });
});
