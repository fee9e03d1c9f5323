import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore } from "../../adapters/cassandra-store";
import type { Candle } from "../../core/candles";
import { migrate } from "../../db/migrations";
import { seedDay, type SeededDay } from "../../test/market-fixtures";
import { uniqueName, connectTestCassandra } from "../../test/helpers";
import { createQueryStores, type QueryContext } from "../context";
import { createCaller } from "./app-router";

const keyspace = uniqueName("test_api");
const connect = connectTestCassandra;

const DAY = "2013-10-07";
const NOW = Date.parse("2013-10-07T21:00:00Z");
let client: CassandraClient;
let ctx: QueryContext;
let up: SeededDay;
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  up = await seedDay(client, keyspace, { symbol: "TSUP", day: DAY, startPrice: 100, prevClose: 90, seed: 1 });
  await seedDay(client, keyspace, { symbol: "TSFLAT", day: DAY, startPrice: 50, sessionMinutes: 60, seed: 2 });
  ctx = { ...createQueryStores(client, keyspace), nowMs: () => NOW };
  caller = createCaller({ db: () => Promise.resolve(ctx) });
});

afterAll(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("tRPC routers over a seeded keyspace", () => {
  it("lists every seeded symbol and filters by a search text", async () => {
    const all = await caller.symbols.list({});
    expect(all.symbols.map((s) => s.symbol)).toEqual(["TSFLAT", "TSUP"]);
    const some = await caller.symbols.list({ search: "tsu" });
    expect(some.symbols.map((s) => s.symbol)).toEqual(["TSUP"]);
  });

  it("gets a symbol with its latest state, case-insensitively, and 404s an unknown one", async () => {
    const symbol = await caller.symbols.get({ symbol: "tsup" });
    expect(symbol.symbol).toBe("TSUP");
    expect(symbol.latest?.last).toBe(up.last.price);
    expect(symbol.latest?.change).toBeCloseTo(up.last.price - 90, 9);
    expect(symbol.latest?.changeBasis).toBe("prevClose");
    const error = await trpcError(caller.symbols.get({ symbol: "NOPE" }));
    expect(error.code).toBe("NOT_FOUND");
  });

  it("returns one day of 1m candles newest first, paged by a time cursor without overlap or gap", async () => {
    const from = Date.parse(`${DAY}T00:00:00Z`);
    const to = Date.parse(`${DAY}T23:59:59Z`);
    const first = await caller.candles.range({ symbol: "TSUP", interval: "1m", from, to, limit: 300 });
    expect(first.candles).toHaveLength(300);
    expect(first.nextCursor).toBe(first.candles[299]?.windowStart);
    const second = await caller.candles.range({
      symbol: "TSUP",
      interval: "1m",
      from,
      to,
      limit: 300,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.candles).toHaveLength(90);
    expect(second.nextCursor).toBeNull();
    const starts = [...first.candles, ...second.candles].map((c) => c.windowStart);
    const expected = (up.candles.get("1m") ?? []).map((c) => c.windowStart).reverse();
    expect(starts).toEqual(expected);
    const newest = first.candles[0];
    const stored = up.candles.get("1m")?.at(-1);
    expect(newest).toMatchObject({
      open: stored?.open,
      high: stored?.high,
      low: stored?.low,
      close: stored?.close,
      volume: stored?.volume,
      isFinal: true,
    });
  });

  it("pages a 1s day at the largest page size without losing the cursor (a bucket holds more rows than a driver page)", async () => {
    const start = Date.parse(`${DAY}T14:00:00Z`);
    const seconds = 5_200;
    await createCassandraStore(client, keyspace).writeCandles(
      Array.from({ length: seconds }, (_, i) => ({
        candle: { ...(up.candles.get("1s")?.[0] as Candle), symbol: "TSSEC", windowStart: start + i * 1_000 },
        isFinal: true,
        sourcePartition: undefined,
        lastOffset: undefined,
      })),
      NOW,
    );
    const range = { symbol: "TSSEC", interval: "1s" as const, from: start, to: start + seconds * 1_000 };
    const first = await caller.candles.range({ ...range, limit: 5_000 });
    expect(first.candles).toHaveLength(5_000);
    expect(first.nextCursor).toBe(start + 200_000);
    const second = await caller.candles.range({ ...range, limit: 5_000, cursor: first.nextCursor ?? undefined });
    expect(second.candles.map((c) => c.windowStart)).toEqual(Array.from({ length: 200 }, (_, i) => start + (199 - i) * 1_000));
    expect(second.nextCursor).toBeNull();
  });

  it("reads every bucket a range spans (1m across two days, 1h within a month)", async () => {
    const from = Date.parse("2013-10-06T12:00:00Z");
    const to = Date.parse("2013-10-08T12:00:00Z");
    const minutes = await caller.candles.range({ symbol: "TSUP", interval: "1m", from, to, limit: 5000 });
    expect(minutes.candles).toHaveLength(390);
    const hours = await caller.candles.range({ symbol: "TSUP", interval: "1h", from, to });
    expect(hours.candles.map((c) => new Date(c.windowStart).toISOString().slice(11, 13))).toEqual([
      "19",
      "18",
      "17",
      "16",
      "15",
      "14",
      "13",
    ]);
  });

  it("defaults the range to the interval's span before now", async () => {
    const result = await caller.candles.range({ symbol: "TSUP", interval: "5m" });
    expect(result.to).toBe(NOW);
    expect(result.candles).toHaveLength(78);
  });

  it("refuses an inverted or too long range with field errors, and 404s an unknown symbol's candles", async () => {
    const inverted = await trpcError(caller.candles.range({ symbol: "TSUP", interval: "1m", from: 2_000, to: 1_000 }));
    expect(inverted.code).toBe("BAD_REQUEST");
    const tooLong = await trpcError(caller.candles.range({ symbol: "TSUP", interval: "1s", from: 0, to: 3 * 86_400_000 }));
    expect(tooLong.code).toBe("BAD_REQUEST");
    const unknown = await trpcError(caller.candles.range({ symbol: "NOPE", interval: "1m", from: 0, to: 1_000 }));
    expect(unknown.code).toBe("NOT_FOUND");
  });

  it("pages recent trades newest first by a (time, id) cursor", async () => {
    const first = await caller.trades.recent({ symbol: "TSUP", limit: 25 });
    expect(first.trades[0]).toMatchObject({ tradeId: up.last.tradeId, price: up.last.price });
    expect(first.trades[0]?.side).toMatch(/buy|sell/);
    const second = await caller.trades.recent({ symbol: "TSUP", limit: 25, cursor: first.nextCursor ?? undefined });
    const ids = [...first.trades, ...second.trades].map((t) => Number(t.tradeId));
    const lastId = Number(up.last.tradeId);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => lastId - i));
  });

  it("reads the trades of a past day with `before`", async () => {
    const nextMidnight = Date.parse("2013-10-08T00:00:00Z");
    const page = await caller.trades.recent({ symbol: "TSUP", limit: 2, before: nextMidnight });
    expect(page.trades.map((t) => t.tradeId)).toEqual([up.last.tradeId, String(Number(up.last.tradeId) - 1)]);
    const earlier = await caller.trades.recent({ symbol: "TSUP", limit: 1, before: up.last.ts });
    expect(earlier.trades[0]?.ts).toBeLessThan(up.last.ts);
  });

  it("gives the latest quote with its spread in price and basis points", async () => {
    const quote = await caller.quotes.latest({ symbol: "TSUP" });
    expect(quote.bid).not.toBeNull();
    expect(quote.spread).toBeCloseTo((quote.ask ?? 0) - (quote.bid ?? 0), 9);
    expect(quote.spreadBps).toBeGreaterThan(0);
    expect((await trpcError(caller.quotes.latest({ symbol: "NOPE" }))).code).toBe("NOT_FOUND");
  });

  it("summarises the market with change, volume, spread and a 1m sparkline per symbol", async () => {
    const overview = await caller.market.overview();
    expect(overview.rows.map((r) => r.symbol)).toEqual(["TSFLAT", "TSUP"]);
    const row = overview.rows.find((r) => r.symbol === "TSUP");
    expect(row?.sparkline).toEqual((up.candles.get("1m") ?? []).slice(-60).map((c) => c.close));
    expect(row?.changePct).toBeCloseTo(((up.last.price - 90) / 90) * 100, 9);
    expect(row?.volume).toBe(up.trades.reduce((sum, t) => sum + t.size, 0));
  });

  it("ranks movers by volume and by absolute % change", async () => {
    const byVolume = await caller.market.movers({ by: "volume" });
    expect(byVolume.movers.map((m) => m.symbol)).toEqual(["TSUP", "TSFLAT"]);
    const byChange = await caller.market.movers({ by: "changePct", limit: 1 });
    expect(byChange.movers).toHaveLength(1);
  });

  it("lists a day's alerts, optionally for one symbol", async () => {
    const all = await caller.alerts.recent({ day: DAY });
    expect(all.alerts.map((a) => a.symbol).sort()).toEqual(["TSFLAT", "TSUP"]);
    const one = await caller.alerts.recent({ symbol: "TSUP" });
    expect(one.alerts).toHaveLength(1);
    expect(one.alerts[0]).toMatchObject({ kind: "price-jump", symbol: "TSUP" });
  });
});
