import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CassandraStore, type QuoteRow, type TradeRow } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { cancelJob } from "../../adapters/queues";
import { createRedis } from "../../adapters/redis";
import { BATCH_JOB_OPTIONS, type DataQualityPayload, type RollupPayload } from "../../core/batch-jobs";
import { applyTrade, type Candle } from "../../core/candles";
import { previousDay } from "../../core/rollup";
import type { Trade } from "../../core/schemas";
import { migrate } from "../../db/migrations";
import { openBatchQueue, type BatchQueue } from "../../test/batch-queue";
import { eventually, testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { seedDay, type SeededDay } from "../../test/market-fixtures";
import { BATCH_SCHEDULERS, upsertBatchSchedules } from "./schedules";

const config = getConfig();
const keyspace = uniqueName("test_batch");
const connect = connectTestCassandra;
const redis = createRedis(config.redis.url, "worker", testLog);

const DAY = "2013-10-07";
const KILL_DAY = "2013-10-08";
const GAP_MS = 10 * 60_000;
let client: CassandraClient;
let store: CassandraStore;
const seeded = new Map<string, SeededDay>();
const closers: Array<() => Promise<unknown>> = [];

/** Quotes around each trade (bid/ask ± 0.05 at the trade's time), as a feed would have them. */
function quotesAround(trades: readonly Trade[], firstOffset: number): QuoteRow[] {
  return trades.map((t, i) => ({
    symbol: t.symbol,
    ts: t.ts,
    bid: t.price - 0.05,
    bidSize: 100,
    ask: t.price + 0.05,
    askSize: 100,
    sourcePartition: 0,
    sourceOffset: String(firstOffset + i),
  }));
}

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  store = createCassandraStore(client, keyspace);
  // TSA: a clean day. TSB: a shorter day, then after a 10-minute pause three trades reusing ids,
  // an off-market trade and two crossed quotes.
  const a = await seedDay(client, keyspace, { symbol: "TSA", day: DAY, startPrice: 100, seed: 1 });
  const b = await seedDay(client, keyspace, { symbol: "TSB", day: DAY, startPrice: 50, sessionMinutes: 60, seed: 2 });
  seeded.set("TSA", a).set("TSB", b);
  await store.writeQuotes(quotesAround(a.trades, 0));
  const late = b.sessionEndMs + GAP_MS - 15_000;
  const dupes: TradeRow[] = ["1", "2", "3"].map((id, i) => ({ symbol: "TSB", ts: late + i * 1_000, price: 50, size: 100, tradeId: id }));
  const t30 = b.trades[30] as Trade;
  const outlier: TradeRow = { symbol: "TSB", ts: t30.ts + 5, price: t30.price * 1.1, size: 100, tradeId: "off-market" };
  await store.writeTrades([...dupes, outlier]);
  const crossed = [10, 20].map((i, k): QuoteRow => {
    const t = b.trades[i] as Trade;
    return {
      symbol: "TSB",
      ts: t.ts + 1,
      bid: t.price + 0.2,
      bidSize: 100,
      ask: t.price + 0.1,
      askSize: 100,
      sourcePartition: 1,
      sourceOffset: String(k),
    };
  });
  await store.writeQuotes([...quotesAround(b.trades, 0), ...quotesAround(dupes, 10_000), ...crossed]);
  for (const [symbol, startPrice] of [
    ["TSA", 70],
    ["TSB", 30],
  ] as const) {
    seeded.set(
      `${symbol}@${KILL_DAY}`,
      await seedDay(client, keyspace, { symbol, day: KILL_DAY, startPrice, sessionMinutes: 120, seed: 3 }),
    );
    // Each seed rewrites the symbols row for its own day; the stream keeps the first sighting.
    await client.execute(`INSERT INTO ${keyspace}.symbols (symbol, first_seen, last_seen) VALUES (?, ?, ?)`, [
      symbol,
      new Date(seeded.get(symbol)?.first.ts ?? 0),
      new Date(seeded.get(`${symbol}@${KILL_DAY}`)?.last.ts ?? 0),
    ]);
  }
  // A symbol listed but without data on DAY: the jobs look at it and find nothing.
  await client.execute(`INSERT INTO ${keyspace}.symbols (symbol, first_seen, last_seen) VALUES (?, ?, ?)`, [
    "TSOLD",
    new Date(Date.UTC(2012, 0, 3)),
    new Date(Date.UTC(2012, 5, 1)),
  ]);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  redis.disconnect();
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

/** A queue under its own prefix with workers on it; everything is closed after the file. */
function harness(): Promise<BatchQueue> {
  return openBatchQueue({ redis, store, closers });
}

function fold1d(trades: readonly Trade[]): Candle | undefined {
  return trades.reduce<Candle | undefined>((c, t) => applyTrade(c, t, "1d"), undefined);
}

async function stored1d(symbol: string, day: string) {
  const start = Date.parse(`${day}T00:00:00Z`);
  const rows = await store.getCandles(symbol, "1d", start, start);
  return rows.map(({ candle, isFinal }) => ({ candle, isFinal }));
}

function expectCandleOfTrades(actual: Candle | undefined, trades: readonly Trade[]): void {
  const expected = fold1d(trades) as Candle;
  expect(actual).toBeDefined();
  const { volume, notional, vwap, ...exact } = actual as Candle;
  const { volume: v, notional: n, vwap: w, ...exactExpected } = expected;
  expect(exact).toEqual(exactExpected);
  expect(volume).toBeCloseTo(v, 6);
  expect(notional).toBeCloseTo(n, 4);
  expect(vwap).toBeCloseTo(w, 9);
}

describe("batch worker on the real Redis and Cassandra", () => {
  it("rolls a day of 1h candles up into the 1d candle that folding the trades gives, and a second run leaves the same rows", async () => {
    const h = await harness();
    h.startWorker();
    const first = await h.queue.add("rollup", { day: DAY } satisfies RollupPayload);
    expect(await first.waitUntilFinished(h.events, 60_000)).toEqual({ day: DAY, symbols: 2, written: 2 });
    const rows = { TSA: await stored1d("TSA", DAY), TSB: await stored1d("TSB", DAY) };
    for (const symbol of ["TSA", "TSB"] as const) {
      expect(rows[symbol]).toHaveLength(1);
      expectCandleOfTrades(rows[symbol][0]?.candle, seeded.get(symbol)?.trades ?? []);
      expect(rows[symbol][0]?.isFinal).toBe(true);
    }
    const done = await h.queue.getJob(first.id ?? "");
    expect(done?.progress).toBe(100);
    const { logs } = await h.queue.getJobLogs(first.id ?? "");
    expect(logs.some((line) => line.startsWith("TSA: 1d candle from"))).toBe(true);

    const second = await h.queue.add("rollup", { day: DAY } satisfies RollupPayload);
    await second.waitUntilFinished(h.events, 60_000);
    expect({ TSA: await stored1d("TSA", DAY), TSB: await stored1d("TSB", DAY) }).toEqual(rows);

    // The same day from 1m candles gives the same candle.
    const fromMinutes = await h.queue.add("rollup", { day: DAY, symbol: "TSA", source: "1m" } satisfies RollupPayload);
    expect(await fromMinutes.waitUntilFinished(h.events, 60_000)).toEqual({ day: DAY, symbols: 1, written: 1 });
    expect(await stored1d("TSA", DAY)).toHaveLength(1);
    expectCandleOfTrades((await stored1d("TSA", DAY))[0]?.candle, seeded.get("TSA")?.trades ?? []);
  });

  it("stores a data-quality report per symbol with the seeded gaps, duplicate ids, outliers and crossed quotes", async () => {
    const h = await harness();
    h.startWorker();
    const job = await h.queue.add("data-quality", { day: DAY } satisfies DataQualityPayload);
    expect(await job.waitUntilFinished(h.events, 60_000)).toEqual({ day: DAY, symbols: 2, reports: 2 });
    const reports = await store.readDataQuality(DAY);
    const a = seeded.get("TSA") as SeededDay;
    const b = seeded.get("TSB") as SeededDay;
    expect(reports.map((r) => r.symbol)).toEqual(["TSA", "TSB"]);
    expect(reports[0]).toMatchObject({
      tradeCount: a.trades.length,
      quoteCount: a.trades.length,
      gapCount: 0,
      longestGapMs: 15_000,
      duplicateTradeIds: 0,
      outlierTrades: 0,
      tradesWithoutQuote: 0,
      crossedQuotes: 0,
      firstTradeTs: a.first.ts,
      lastTradeTs: a.last.ts,
      duplicateCheckComplete: true,
    });
    expect(reports[1]).toMatchObject({
      tradeCount: b.trades.length + 4,
      quoteCount: b.trades.length + 3 + 2,
      gapCount: 1,
      longestGapMs: GAP_MS,
      longestGapStartTs: b.last.ts,
      duplicateTradeIds: 3,
      outlierTrades: 1,
      tradesWithoutQuote: 0,
      crossedQuotes: 2,
      gapThresholdMs: 60_000,
      outlierSpreads: 3,
    });
    // Re-running overwrites the rows (key: day, symbol).
    const again = await h.queue.add("data-quality", { day: DAY, symbols: ["TSB"] } satisfies DataQualityPayload);
    await again.waitUntilFinished(h.events, 60_000);
    expect(await store.readDataQuality(DAY)).toEqual(reports);
  });

  it("fails an invalid payload or an unknown job at once, without retries", async () => {
    const h = await harness();
    h.startWorker();
    const bad = await h.queue.add("rollup", { day: "2013-02-30" });
    const unknown = await h.queue.add("compact", { day: DAY });
    await expect(bad.waitUntilFinished(h.events, 30_000)).rejects.toThrow(/invalid rollup payload: day/);
    await expect(unknown.waitUntilFinished(h.events, 30_000)).rejects.toThrow(/unknown batch job "compact"/);
    expect((await h.queue.getJob(bad.id ?? ""))?.attemptsMade).toBe(1);
    expect((await h.queue.getJob(unknown.id ?? ""))?.attemptsMade).toBe(1);
  });

  it("stops a running job between symbols when it is cancelled, and removes a job not yet started", async () => {
    const h = await harness();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reached = false;
    h.startWorker({
      beforeSymbol: async (_job, _symbol, index) => {
        if (index === 0) {
          reached = true;
          await released;
        }
      },
    });
    const job = await h.queue.add("data-quality", { day: DAY, symbols: ["TSA", "TSB"] } satisfies DataQualityPayload);
    const waiting = await h.queue.add("rollup", { day: DAY } satisfies RollupPayload, { delay: 60_000 });
    await eventually(() => reached, "the job to start its first symbol");
    expect(await cancelJob(h.queue, job.id ?? "", redis)).toBe("requested");
    expect(await cancelJob(h.queue, waiting.id ?? "", redis)).toBe("removed");
    expect(await cancelJob(h.queue, "no-such-job", redis)).toBe("not-found");
    release();
    await expect(job.waitUntilFinished(h.events, 30_000)).rejects.toThrow("cancelled");
    const failed = await h.queue.getJob(job.id ?? "");
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.progress).toBe(50);
    expect(await h.queue.getJob(waiting.id ?? "")).toBeUndefined();
    expect(await cancelJob(h.queue, job.id ?? "", redis)).toBe("finished");
  });

  it("completes a job whose worker died mid-job on another worker after the stalled check, with the same result", async () => {
    const h = await harness();
    const short = { lockDurationMs: 1_000, stalledIntervalMs: 500 };
    let dying = false;
    // The first worker hangs before its second symbol, as a killed process would, and is force-closed.
    const doomed = h.startWorker(
      { beforeSymbol: (_job, _symbol, index) => (index === 1 ? ((dying = true), new Promise<void>(() => undefined)) : Promise.resolve()) },
      short,
    );
    const job = await h.queue.add("rollup", { day: KILL_DAY, source: "1m" } satisfies RollupPayload);
    await eventually(() => dying, "the first worker to finish one symbol");
    await doomed.close(true);
    expect(await h.queue.getJobState(job.id ?? "")).toBe("active");

    let stalled = 0;
    h.events.on("stalled", () => (stalled += 1));
    h.startWorker({}, short);
    expect(await job.waitUntilFinished(h.events, 60_000)).toEqual({ day: KILL_DAY, symbols: 2, written: 2 });
    expect(stalled).toBe(1);
    for (const symbol of ["TSA", "TSB"]) {
      const rows = await stored1d(symbol, KILL_DAY);
      expect(rows).toHaveLength(1);
      expectCandleOfTrades(rows[0]?.candle, seeded.get(`${symbol}@${KILL_DAY}`)?.trades ?? []);
    }
    const { logs } = await h.queue.getJobLogs(job.id ?? "");
    // TSA was rolled up by both workers: the rewrite is an upsert of the same candle.
    expect(logs.filter((line) => line.startsWith("TSA: 1d candle")).length).toBe(2);
  });

  it("upserts the daily schedulers once however often it runs, and resolves 'previous' to the day before the scheduled time", async () => {
    const h = await harness();
    await upsertBatchSchedules(h.queue, { rollupCron: "15 0 * * *", dataQualityCron: "30 0 * * *" });
    await upsertBatchSchedules(h.queue, { rollupCron: "15 0 * * *", dataQualityCron: "30 0 * * *" });
    const schedulers = await h.queue.getJobSchedulers();
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
    expect(schedulers.map((s) => ({ key: s.key, pattern: s.pattern, data: s.template?.data as unknown })).sort(byKey)).toEqual(
      [
        { key: BATCH_SCHEDULERS.rollup, pattern: "15 0 * * *", data: { day: "previous" } },
        { key: BATCH_SCHEDULERS.dataQuality, pattern: "30 0 * * *", data: { day: "previous" } },
      ].sort(byKey),
    );
    const delayed = await h.queue.getDelayed();
    expect(delayed.map((j: Job) => j.name).sort()).toEqual(["data-quality", "rollup"]);
    const next = delayed.find((j: Job) => j.name === "rollup") as Job;
    expect(next.opts.attempts).toBe(BATCH_JOB_OPTIONS.attempts);
    expect(next.opts.backoff).toEqual({ type: "exponential", delay: 5_000 });

    h.startWorker();
    const now = Date.now();
    const job = await h.queue.add("data-quality", { day: "previous", symbols: ["TSA"] } satisfies DataQualityPayload);
    const result = (await job.waitUntilFinished(h.events, 60_000)) as { day: string };
    expect([previousDay(now), previousDay(Date.now())]).toContain(result.day);
    expect((await h.queue.getJob(job.id ?? ""))?.data).toMatchObject({ day: result.day });
  });
});
