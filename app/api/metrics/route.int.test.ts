import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "../../../adapters/config";
import { publishMetricsSnapshot } from "../../../adapters/metrics";
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
    await publishMetricsSnapshot(redis, worker, '# HELP tickstream_test_ticks_total T.\n# TYPE tickstream_test_ticks_total counter\ntickstream_test_ticks_total{topic="t"} 7\n', 1_500);

    const response = await GET();
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text).toMatch(/^tickstream_sse_clients\{process="web-[^"]+"\} 0$/m);
    expect(text).toMatch(/^tickstream_sse_events_conflated_total\{process="web-[^"]+"\} \d+$/m);
    expect(text).toMatch(/^tickstream_service_up\{process="web-[^"]+",service="redis"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes\{process="web-[^"]+"\} \d+$/m);
    expect(text).toContain(`tickstream_test_ticks_total{process="${worker}",topic="t"} 7`);
    // Each family once, whatever the number of processes.
    expect(text.match(/^# TYPE tickstream_sse_clients /gm)).toHaveLength(1);

    await eventually(async () => !(await (await GET()).text()).includes(worker), "the dead worker's snapshot to expire", 10_000);
  });
});
