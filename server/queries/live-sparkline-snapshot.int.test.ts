import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { getConfig } from "../../adapters/config";
import { publishLiveUpdates } from "../../adapters/live-channel";
import { createRedis } from "../../adapters/redis";
import { candleBucket } from "../../core/intervals";
import type { CandleUpdate } from "../../core/live-updates";
import { migrate } from "../../db/migrations";
import { eventually, testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { createTestSseHub } from "../../test/sse-client";
import { seedDay, type SeededDay } from "../../test/market-fixtures";
import { createQueryStores, type QueryContext, type QueryStores } from "../context";
import type { SseHub } from "../live/sse-hub";
import { getMarketOverview } from "./get-market-overview";
import { createLiveSparklines, type SparklineSource } from "./live-sparkline-snapshot";

const config = getConfig();
const keyspace = uniqueName("test_spark");
const streamKey = uniqueName("test_live");
const redis = createRedis(config.redis.url, "client", testLog);
const connect = connectTestCassandra;

const DAY = "2013-10-07";
const MIN = 60_000;
let client: CassandraClient;
let stores: QueryStores;
let hub: SseHub;
let sparklines: SparklineSource;
let withSnapshot: QueryContext;
let direct: QueryContext;
const seeded = new Map<string, SeededDay>();

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  seeded.set(
    "SPA",
    await seedDay(client, keyspace, { symbol: "SPA", day: DAY, startPrice: 100, sessionMinutes: 90, tradeEveryMs: 60_000, seed: 1 }),
  );
  seeded.set(
    "SPB",
    await seedDay(client, keyspace, { symbol: "SPB", day: DAY, startPrice: 50, sessionMinutes: 90, tradeEveryMs: 30_000, seed: 2 }),
  );
  // Fewer minutes than the sparkline: the whole day.
  seeded.set(
    "SPC",
    await seedDay(client, keyspace, { symbol: "SPC", day: DAY, startPrice: 20, sessionMinutes: 12, tradeEveryMs: 60_000, seed: 3 }),
  );
  hub = createTestSseHub(streamKey, { clientBufferBytes: 64 * 1024, conflationMaxKeys: 100, readBlockMs: 200 });
  stores = createQueryStores(client, keyspace);
  sparklines = createLiveSparklines({ candles: stores.market, tap: (listener) => hub.tap(listener), nowMs: Date.now, log: testLog });
  withSnapshot = { ...stores, nowMs: Date.now, sparklines };
  direct = { ...stores, nowMs: Date.now };
});

afterAll(async () => {
  sparklines?.close();
  await hub?.close();
  await redis.del(streamKey);
  await redis.quit();
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

const rowsOf = async (ctx: QueryContext, sparklinePoints = 60) => (await getMarketOverview(ctx, { sparklinePoints })).rows;

/** Statements run against the candles table while `fn` runs. */
async function candleReadsDuring(fn: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(client, "execute");
  try {
    await fn();
    return spy.mock.calls.filter(([query]) => typeof query === "string" && query.includes(".candles")).length;
  } finally {
    spy.mockRestore();
  }
}

/** What the stream worker does for one 1m candle: upsert the row (and the latest row), then publish the update. */
async function writeAndPublish(symbol: string, windowStartMs: number, close: number, isFinal: boolean, lastTradeMs: number): Promise<void> {
  await client.execute(
    `INSERT INTO ${keyspace}.candles (symbol, interval, bucket, window_start, open, high, low, close, volume, vwap, trade_count, is_final) ` +
      `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [symbol, "1m", candleBucket("1m", windowStartMs), new Date(windowStartMs), close, close, close, close, 100, close, 1, isFinal],
  );
  await client.execute(`UPDATE ${keyspace}.latest SET ts = ?, last_price = ? WHERE symbol = ?`, [new Date(lastTradeMs), close, symbol]);
  const update: CandleUpdate = {
    type: "candle",
    symbol,
    interval: "1m",
    windowStart: windowStartMs,
    open: close,
    high: close,
    low: close,
    close,
    volume: 100,
    vwap: close,
    tradeCount: 1,
    isFinal,
  };
  await publishLiveUpdates(redis, [update, { ...update, interval: "1s" }], { key: streamKey });
}

describe("live sparkline snapshot on the real Cassandra and Redis", () => {
  it("builds the overview with one latest read and no candle query once each symbol's day is loaded, equal to Cassandra's answer", async () => {
    const expected = await rowsOf(direct);
    expect(expected.map((r) => r.sparkline.length)).toEqual([60, 60, 12]);
    // The first read starts the feed; until it is live, sparklines come from Cassandra.
    expect(await rowsOf(withSnapshot)).toEqual(expected);
    await eventually(() => sparklines.stats().live, "the feed to be live", 10_000);
    expect(await rowsOf(withSnapshot)).toEqual(expected);
    expect(sparklines.stats()).toMatchObject({ symbols: 3, loads: 3 });
    let rows: Awaited<ReturnType<typeof rowsOf>> = [];
    expect(await candleReadsDuring(async () => (rows = await rowsOf(withSnapshot)))).toBe(0);
    expect(rows).toEqual(expected);
    // A shorter sparkline needs no read either (the 3 are the direct reads); a longer one loads the
    // symbols whose held series is too short once more (SPC's whole day is held).
    expect(await candleReadsDuring(async () => expect(await rowsOf(withSnapshot, 10)).toEqual(await rowsOf(direct, 10)))).toBe(3);
    expect(await candleReadsDuring(async () => expect(await rowsOf(withSnapshot, 120)).toEqual(await rowsOf(direct, 120)))).toBe(3 + 2);
    expect(await candleReadsDuring(() => rowsOf(withSnapshot, 120))).toBe(0);
  });

  it("keeps each sparkline equal to the stored candles as 1m candles are written and published", async () => {
    const spa = seeded.get("SPA")!;
    const spc = seeded.get("SPC")!;
    let minuteMs = spa.sessionEndMs;
    for (let i = 0; i < 5; i++, minuteMs += MIN) {
      // The open minute moves, then closes; the overview reads between the steps.
      await writeAndPublish("SPA", minuteMs, 120 + i, false, minuteMs + 10_000);
      await writeAndPublish("SPA", minuteMs, 121 + i, true, minuteMs + 50_000);
      await writeAndPublish("SPC", spc.sessionEndMs + i * MIN, 30 + i, i % 2 === 0, spc.sessionEndMs + i * MIN + 1_000);
    }
    // A correction of a minute inside the held window.
    await writeAndPublish("SPA", minuteMs - 3 * MIN, 99.5, true, minuteMs - MIN + 50_000);
    await eventually(
      async () => JSON.stringify(await rowsOf(withSnapshot)) === JSON.stringify(await rowsOf(direct)),
      "the snapshot to catch up",
      10_000,
    );
    const rows = await rowsOf(withSnapshot);
    expect(rows.find((r) => r.symbol === "SPA")?.sparkline.slice(-5)).toEqual([121, 122, 99.5, 124, 125]);
    expect(rows.find((r) => r.symbol === "SPC")?.sparkline).toHaveLength(17);
    expect(await candleReadsDuring(() => rowsOf(withSnapshot))).toBe(0);
    expect(sparklines.stats().updatesApplied).toBeGreaterThanOrEqual(11);
  });

  it("corrects a write that was never published (a recompute, a failed publish) within the resync period", async () => {
    const clock = { now: Date.now() };
    const resyncing = createLiveSparklines({
      candles: stores.market,
      tap: (listener) => hub.tap(listener),
      nowMs: () => clock.now,
      resyncMs: 60_000,
      log: testLog,
    });
    try {
      const ctx: QueryContext = { ...stores, nowMs: () => clock.now, sparklines: resyncing };
      await rowsOf(ctx);
      await eventually(() => resyncing.stats().live, "the feed to be live", 10_000);
      await rowsOf(ctx);
      const spb = seeded.get("SPB")!;
      const lastMinute = spb.sessionEndMs - MIN;
      await client.execute(
        `UPDATE ${keyspace}.candles SET close = ? WHERE symbol = ? AND interval = ? AND bucket = ? AND window_start = ?`,
        [1.5, "SPB", "1m", candleBucket("1m", lastMinute), new Date(lastMinute)],
      );
      const spbOf = async () => (await rowsOf(ctx)).find((r) => r.symbol === "SPB")?.sparkline.at(-1);
      // Within the period the held series is served, unpublished write or not.
      clock.now += 59_000;
      expect(await spbOf()).not.toBe(1.5);
      clock.now += 1_000;
      await rowsOf(ctx); // starts the background reloads (a few at a time)
      await eventually(async () => (await spbOf()) === 1.5, "the resync to pick up the write", 10_000);
      expect(await rowsOf(ctx)).toEqual(await rowsOf(direct));
      expect(resyncing.stats().resyncs).toBeGreaterThanOrEqual(1);
    } finally {
      resyncing.close();
    }
  });

  it("answers from Cassandra once the feed stops, so no stale series is served", async () => {
    await hub.close();
    await eventually(() => !sparklines.stats().live, "the feed to report its gap", 10_000);
    expect(sparklines.stats().symbols).toBe(0);
    await writeAndPublish("SPB", seeded.get("SPB")!.sessionEndMs, 77, true, seeded.get("SPB")!.sessionEndMs + 1_000);
    expect(await rowsOf(withSnapshot)).toEqual(await rowsOf(direct));
    expect((await rowsOf(withSnapshot)).find((r) => r.symbol === "SPB")?.sparkline.at(-1)).toBe(77);
  });
});
