// The daily rollup follows each venue's trading day: a US equity's 1d candle is its regular session
// (09:30–16:00 New York), pre- and post-market prints left out, as an exchange's daily bar is; a
// 24 h venue's (crypto) is the whole UTC day.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CassandraStore } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { createRedis } from "../../adapters/redis";
import type { RollupPayload } from "../../core/batch-jobs";
import { applyTrade, type Candle } from "../../core/candles";
import type { Trade } from "../../core/schemas";
import { migrate } from "../../db/migrations";
import { openBatchQueue } from "../../test/batch-queue";
import { testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { seedDay, type SeededDay } from "../../test/market-fixtures";

const config = getConfig();
const keyspace = uniqueName("test_rollup_session");
const connect = connectTestCassandra;
const redis = createRedis(config.redis.url, "worker", testLog);
const DAY = "2013-10-07";
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const OPEN = Date.UTC(2013, 9, 7, 13, 30);
const CLOSE = Date.UTC(2013, 9, 7, 20, 0);

let client: CassandraClient;
let store: CassandraStore;
let equity: SeededDay;
let crypto: SeededDay;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  store = createCassandraStore(client, keyspace);
  // 04:00–20:00 New York (08:00–24:00 UTC): pre-market, the session and post-market, a trade a minute.
  equity = await seedDay(client, keyspace, {
    symbol: "TSNY",
    day: DAY,
    startPrice: 180,
    sessionStartMinute: 8 * 60,
    sessionMinutes: 16 * 60,
    tradeEveryMs: 60_000,
    seed: 4,
  });
  crypto = await seedDay(client, keyspace, {
    symbol: "BTCUSD",
    day: DAY,
    startPrice: 300,
    sessionStartMinute: 0,
    sessionMinutes: 24 * 60,
    tradeEveryMs: 60_000,
    seed: 5,
  });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  redis.disconnect();
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

function fold1d(trades: readonly Trade[]): Candle {
  const candle = trades.reduce<Candle | undefined>((c, t) => applyTrade(c, t, "1d"), undefined);
  if (!candle) throw new Error("no trades");
  return candle;
}

describe("daily rollup by trading session", () => {
  it("rolls a US equity's regular session and a crypto pair's UTC day", async () => {
    const { queue, events, startWorker } = await openBatchQueue({ redis, store, closers });
    startWorker();

    const job = await queue.add("rollup", { day: DAY } satisfies RollupPayload);
    expect(await job.waitUntilFinished(events, 60_000)).toEqual({ day: DAY, symbols: 2, written: 2 });
    const stored = async (symbol: string) => (await store.getCandles(symbol, "1d", DAY_START, DAY_START))[0]?.candle;

    const session = equity.trades.filter((t) => t.ts >= OPEN && t.ts < CLOSE);
    expect(session.length).toBeLessThan(equity.trades.length);
    const expected = fold1d(session);
    const actual = await stored("TSNY");
    expect(actual).toMatchObject({
      windowStart: DAY_START,
      open: expected.open,
      high: expected.high,
      low: expected.low,
      close: expected.close,
      tradeCount: session.length,
    });
    expect(actual?.volume).toBeCloseTo(expected.volume, 6);

    const all = fold1d(crypto.trades);
    expect(await stored("BTCUSD")).toMatchObject({ open: all.open, close: all.close, tradeCount: crypto.trades.length });
    const { logs } = await queue.getJobLogs(job.id ?? "");
    expect(logs.some((line) => line.startsWith("TSNY: 1d candle from 390 1m candle(s) of the regular session 09:30–16:00 New York"))).toBe(
      true,
    );
  }, 120_000);
});
