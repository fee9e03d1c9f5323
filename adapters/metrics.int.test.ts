import { afterAll, describe, expect, it } from "vitest";
import { eventually, testLog, uniqueName } from "../test/helpers";
import { getConfig } from "./config";
import { MetricsRegistry, publishMetricsSnapshot, readMetricsSnapshots, startMetricsPublisher } from "./metrics";
import { createRedis } from "./redis";

const redis = createRedis(getConfig().redis.url, "client", testLog);
const prefix = `${uniqueName("test_metrics")}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe("metrics snapshots on the real Redis", () => {
  it("reads back every live snapshot and forgets a process once its TTL passes", async () => {
    await publishMetricsSnapshot(redis, "stream-a", "a_total 1\n", 60_000, prefix);
    await publishMetricsSnapshot(redis, "stream-b", "b_total 2\n", 300, prefix);
    expect(await readMetricsSnapshots(redis, prefix)).toEqual([
      { processName: "stream-a", text: "a_total 1\n" },
      { processName: "stream-b", text: "b_total 2\n" },
    ]);
    await eventually(async () => (await readMetricsSnapshots(redis, prefix)).length === 1, "stream-b to expire", 5_000);
    expect(await redis.smembers(`${prefix}index`)).toEqual(["stream-a"]);
  });

  it("publishes a registry periodically until stopped", async () => {
    const registry = new MetricsRegistry();
    const ticks = registry.counter({ name: "ticks_total", help: "t" });
    const publisher = startMetricsPublisher(redis, "stream-c", registry, { intervalMs: 100, log: testLog, prefix });
    ticks.inc(5);
    await eventually(async () => {
      const snapshot = (await readMetricsSnapshots(redis, prefix)).find((s) => s.processName === "stream-c");
      return snapshot?.text.includes("ticks_total 5") ?? false;
    }, "the updated snapshot", 5_000);
    await publisher.stop();
  });

  it("refuses a process name that could break keys or labels", async () => {
    await expect(publishMetricsSnapshot(redis, "bad name\n", "", 1_000, prefix)).rejects.toThrow(/process name/);
  });
});
