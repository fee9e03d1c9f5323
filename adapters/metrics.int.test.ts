import { afterAll, describe, expect, it } from "vitest";
import { eventually, testLog, uniqueName } from "../test/helpers";
import { getConfig } from "./config";
import { MetricsRegistry, publishMetricsSnapshot, readMetricsSnapshots, startMetricsPublisher, type MetricsJson } from "./metrics";
import { createRedis } from "./redis";

const redis = createRedis(getConfig().redis.url, "client", testLog);
const prefix = `${uniqueName("test_metrics")}:`;
const counterAt = (name: string, value: number): MetricsJson => [{ name, help: "h", type: "counter", values: [{ value, labels: {} }] }];

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe("metrics snapshots on the real Redis", () => {
  it("reads back every live snapshot and forgets a process once its TTL passes", async () => {
    await publishMetricsSnapshot(redis, "stream-a", counterAt("a_total", 1), 60_000, prefix);
    await publishMetricsSnapshot(redis, "stream-b", counterAt("b_total", 2), 300, prefix);
    expect(await readMetricsSnapshots(redis, testLog, prefix)).toEqual([
      { processName: "stream-a", metrics: counterAt("a_total", 1) },
      { processName: "stream-b", metrics: counterAt("b_total", 2) },
    ]);
    await eventually(async () => (await readMetricsSnapshots(redis, testLog, prefix)).length === 1, "stream-b to expire", 5_000);
    expect(await redis.smembers(`${prefix}index`)).toEqual(["stream-a"]);
  });

  it("publishes a registry periodically until stopped", async () => {
    const registry = new MetricsRegistry();
    const ticks = registry.counter({ name: "ticks_total", help: "t" });
    const publisher = startMetricsPublisher(redis, "stream-c", registry, { intervalMs: 100, log: testLog, prefix });
    ticks.inc(5);
    await eventually(
      async () => {
        const snapshot = (await readMetricsSnapshots(redis, testLog, prefix)).find((s) => s.processName === "stream-c");
        return snapshot?.metrics.find((metric) => metric.name === "ticks_total")?.values[0]?.value === 5;
      },
      "the updated snapshot",
      5_000,
    );
    await publisher.stop();
  });

  it("refuses a process name that could break keys or labels", async () => {
    await expect(publishMetricsSnapshot(redis, "bad name\n", [], 1_000, prefix)).rejects.toThrow(/process name/);
  });

  it("leaves out a snapshot that is not metrics JSON (e.g. the text an older worker published)", async () => {
    const other = `${uniqueName("test_metrics")}:`;
    await publishMetricsSnapshot(redis, "stream-new", counterAt("n_total", 3), 60_000, other);
    await redis.multi().set(`${other}process:stream-old`, "old_total 1\n", "PX", 60_000).sadd(`${other}index`, "stream-old").exec();
    try {
      expect(await readMetricsSnapshots(redis, testLog, other)).toEqual([{ processName: "stream-new", metrics: counterAt("n_total", 3) }]);
    } finally {
      await redis.del(`${other}index`, `${other}process:stream-new`, `${other}process:stream-old`);
    }
  });
});
