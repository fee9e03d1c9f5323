import { afterAll, describe, expect, it } from "vitest";
import type { PriceUpdate } from "../core/live-updates";
import { testLog, uniqueName } from "../test/helpers";
import { getConfig } from "./config";
import { classifyResume, getLiveRetention, publishLiveUpdates, rangeLiveUpdates, readLiveUpdates } from "./live-channel";
import { createRedis } from "./redis";

const redis = createRedis(getConfig().redis.url, "worker", testLog);
const keys: string[] = [];
const newKey = () => {
  const key = uniqueName("test_live");
  keys.push(key);
  return key;
};

afterAll(async () => {
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const price = (i: number, symbol = "IBM"): PriceUpdate => ({ type: "price", symbol, ts: 1_718_000_000_000 + i, last: 100 + i });

describe("live channel on the real Redis", () => {
  it("appends updates in order and reads them back with XREAD and XRANGE, JSON stored once", async () => {
    const key = newKey();
    const ids = await publishLiveUpdates(
      redis,
      [
        price(1),
        price(2),
        {
          type: "candle",
          symbol: "AAPL",
          interval: "1s",
          windowStart: 1_000,
          open: 1,
          high: 2,
          low: 1,
          close: 2,
          volume: 5,
          vwap: 1.5,
          tradeCount: 2,
          isFinal: true,
        },
      ],
      { key },
    );
    expect(ids).toHaveLength(3);

    const read = await readLiveUpdates(redis, "0-0", 10, 100, key);
    expect(read.entries.map((e) => e.id)).toEqual(ids);
    expect(read.lastId).toBe(ids[2]);
    expect(read.entries[2]?.route).toEqual({ type: "candle", symbol: "AAPL", interval: "1s", windowStart: 1_000 });
    expect(JSON.parse(read.entries[0]?.json ?? "")).toEqual(price(1));
    const stored = await redis.xrange(key, "-", "+");
    expect(stored.map(([id]) => id)).toEqual(ids);
    stored.forEach(([, fields], i) => expect(fields.filter((field) => field === read.entries[i]?.json)).toHaveLength(1));

    const page = await rangeLiveUpdates(redis, ids[0] ?? "", 10, key);
    expect(page.batch.entries.map((e) => e.id)).toEqual(ids.slice(1));
    expect(page.retention).toMatchObject({ length: 3, firstId: ids[0], lastGeneratedId: ids[2], entriesAdded: 3 });
  });

  it("returns an empty batch when XREAD times out, and skips malformed entries", async () => {
    const key = newKey();
    expect(await readLiveUpdates(redis, "0-0", 10, 50, key)).toEqual({ entries: [], lastId: "0-0", malformedIds: [] });
    const bad = await redis.xadd(key, "*", "t", "price", "s", "bad symbol\nevent: x", "d", "{}");
    const [good] = await publishLiveUpdates(redis, [price(1)], { key });
    const batch = await readLiveUpdates(redis, "0-0", 10, 50, key);
    expect(batch.malformedIds).toEqual([bad]);
    expect(batch.entries.map((e) => e.id)).toEqual([good]);
  });

  it("validates every update before writing any", async () => {
    const key = newKey();
    await expect(publishLiveUpdates(redis, [price(1), { ...price(2), last: -1 }], { key })).rejects.toThrow(/#1 is invalid: last/);
    expect(await redis.exists(key)).toBe(0);
  });

  it("keeps the stream bounded: MAXLEN ~ trims old entries and resuming before them is too old", async () => {
    const key = newKey();
    const maxLen = 500;
    const first = await publishLiveUpdates(
      redis,
      Array.from({ length: 1_000 }, (_, i) => price(i)),
      { key, maxLen },
    );
    for (let round = 0; round < 4; round++) {
      await publishLiveUpdates(
        redis,
        Array.from({ length: 1_000 }, (_, i) => price(i)),
        { key, maxLen },
      );
    }
    const length = await redis.xlen(key);
    // Approximate trimming removes whole radix-tree nodes (100 entries by default).
    expect(length).toBeGreaterThanOrEqual(maxLen);
    expect(length).toBeLessThanOrEqual(maxLen + 100);
    const retention = await getLiveRetention(redis, key);
    expect(retention.entriesAdded).toBe(5_000);
    expect(classifyResume(first[0] ?? "", retention)).toBe("too-old");
    expect(classifyResume(retention.firstId ?? "", retention)).toBe("ok");
  });

  it("reports a stream that does not exist as empty", async () => {
    expect(await getLiveRetention(redis, newKey())).toEqual({ length: 0, firstId: null, lastGeneratedId: "0-0", entriesAdded: 0 });
    const page = await rangeLiveUpdates(redis, "0-0", 10, newKey());
    expect(page.batch.entries).toEqual([]);
    expect(page.retention.lastGeneratedId).toBe("0-0");
  });
});
