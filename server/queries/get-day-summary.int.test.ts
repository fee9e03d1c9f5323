// A trading day's header figures against a seeded keyspace: the regular session in New York time,
// the previous close from the day before's candles (a weekend skipped) or from a stored 1d candle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { applyTrade, type Candle } from "../../core/candles";
import { candleBucket } from "../../core/intervals";
import type { Trade } from "../../core/schemas";
import { migrate } from "../../db/migrations";
import { uniqueName, connectTestCassandra } from "../../test/helpers";
import { seedDay, type SeededDay } from "../../test/market-fixtures";
import { createQueryStores, type QueryContext } from "../context";
import { getDaySummary } from "./get-day-summary";

const keyspace = uniqueName("test_day_summary");
const connect = connectTestCassandra;
const OPEN = Date.UTC(2013, 9, 7, 13, 30);
const CLOSE = Date.UTC(2013, 9, 7, 20);
let client: CassandraClient;
let ctx: QueryContext;
let friday: SeededDay;
let monday: SeededDay;

function fold(trades: readonly Trade[]): Candle {
  const candle = trades.reduce<Candle | undefined>((c, t) => applyTrade(c, t, "1d"), undefined);
  if (!candle) throw new Error("no trades");
  return candle;
}

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  friday = await seedDay(client, keyspace, { symbol: "TDS", day: "2013-10-04", startPrice: 170, seed: 1 });
  // Monday 04:00–20:00 New York: pre-market, the session, post-market.
  monday = await seedDay(client, keyspace, {
    symbol: "TDS",
    day: "2013-10-07",
    startPrice: 180,
    sessionStartMinute: 8 * 60,
    sessionMinutes: 16 * 60,
    tradeEveryMs: 60_000,
    seed: 2,
  });
  await seedDay(client, keyspace, { symbol: "TDD", day: "2013-10-07", startPrice: 50, seed: 3 });
  await client.execute(
    `INSERT INTO ${keyspace}.candles (symbol, interval, bucket, window_start, open, high, low, close, volume, vwap, trade_count, is_final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ["TDD", "1d", candleBucket("1d", Date.UTC(2013, 9, 3)), new Date(Date.UTC(2013, 9, 3)), 48, 49, 47, 48.5, 1_000, 48.2, 10, true],
    { prepare: true },
  );
  await seedDay(client, keyspace, {
    symbol: "BTCUSD",
    day: "2013-10-07",
    startPrice: 120,
    sessionStartMinute: 0,
    sessionMinutes: 24 * 60,
    tradeEveryMs: 120_000,
    seed: 4,
  });
  ctx = { ...createQueryStores(client, keyspace), nowMs: () => Date.UTC(2013, 9, 8) };
});

afterAll(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

describe("day summary", () => {
  it("sums up the regular session in New York time and changes against Friday's close", async () => {
    const session = monday.trades.filter((t) => t.ts >= OPEN && t.ts < CLOSE);
    const expected = fold(session);
    const fridayClose = friday.last.price;
    const summary = await getDaySummary(ctx, { symbol: "tds", day: "2013-10-07" });
    expect(summary).toMatchObject({
      symbol: "TDS",
      timeZone: "America/New_York",
      sessionOpen: OPEN,
      sessionClose: CLOSE,
      basis: "regular-session",
      open: expected.open,
      high: expected.high,
      low: expected.low,
      close: expected.close,
      prevClose: fridayClose,
      prevCloseDay: "2013-10-04",
      changeBasis: "prevClose",
    });
    expect(summary.volume).toBeCloseTo(expected.volume, 6);
    expect(summary.dayVolume).toBeCloseTo(fold(monday.trades).volume, 6);
    expect(summary.change).toBeCloseTo(expected.close - fridayClose, 9);
  });

  it("takes the previous close from a stored 1d candle, and the whole UTC day of a crypto pair", async () => {
    expect(await getDaySummary(ctx, { symbol: "TDD", day: "2013-10-07" })).toMatchObject({
      prevClose: 48.5,
      prevCloseDay: "2013-10-03",
      changeBasis: "prevClose",
    });
    const btc = await getDaySummary(ctx, { symbol: "BTCUSD", day: "2013-10-07" });
    expect(btc).toMatchObject({
      timeZone: "UTC",
      basis: "trading-day",
      sessionOpen: Date.UTC(2013, 9, 7),
      sessionClose: Date.UTC(2013, 9, 8),
      prevClose: null,
      changeBasis: "dayOpen",
    });
  });

  it("answers a day without trades with nulls, and 404s an unknown symbol", async () => {
    // Wednesday: no trades, Monday's session close is the previous close; a month later, nothing.
    const mondayClose = fold(monday.trades.filter((t) => t.ts >= OPEN && t.ts < CLOSE)).close;
    expect(await getDaySummary(ctx, { symbol: "TDS", day: "2013-10-09" })).toMatchObject({
      basis: null,
      close: null,
      change: null,
      prevClose: mondayClose,
      prevCloseDay: "2013-10-07",
    });
    expect(await getDaySummary(ctx, { symbol: "TDS", day: "2013-11-09" })).toMatchObject({
      basis: null,
      close: null,
      prevClose: null,
      change: null,
    });
    await expect(getDaySummary(ctx, { symbol: "NOPE", day: "2013-10-07" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
