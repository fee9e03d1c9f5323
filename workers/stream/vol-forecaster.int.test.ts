// Batch-trained volatility models scored live, against the real Cassandra, Redis and BullMQ: a
// train-volatility job on seeded 1d candles writes a vol_models version, a running forecaster
// scores with it, and a retrain is picked up within the refresh interval without a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CandleRow, type CassandraStore } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { applicationTopics, connectProducer, createKafka, ensureTopics, topicNames } from "../../adapters/kafka";
import { createRedis } from "../../adapters/redis";
import { createVolModelStore, type VolModelStore } from "../../adapters/vol-model-store";
import { BATCH_JOBS, type TrainVolatilityPayload, type TrainVolatilityResult } from "../../core/batch-jobs";
import type { Candle } from "../../core/candles";
import type { LiveUpdate } from "../../core/live-updates";
import { createPrng, nextNormal } from "../../core/simulator";
import { blendDayVariance } from "../../core/vol-forecast-live";
import { migrate } from "../../db/migrations";
import { openBatchQueue } from "../../test/batch-queue";
import { eventually, testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { createVolForecaster } from "./vol-forecaster";
import { startStreamWorker, type StreamWorker } from "./start-stream-worker";

const config = getConfig();
const keyspace = uniqueName("test_vol");
const connect = connectTestCassandra;
const redis = createRedis(config.redis.url, "worker", testLog);
const DAY_MS = 86_400_000;
/** The forecaster's clock: 10:30 UTC on a Monday, after 30 one-minute candles of the day. */
const TODAY = "2026-01-05";
const TODAY_START = Date.parse(`${TODAY}T00:00:00Z`);
const NOW = TODAY_START + 10.5 * 3_600_000;
const SESSION_START = TODAY_START + 10 * 3_600_000;
const REFRESH_MS = 300;

let client: CassandraClient;
let store: CassandraStore;
let models: VolModelStore;
const closers: Array<() => Promise<unknown>> = [];

function candle(symbol: string, interval: "1d" | "1m", start: number, o: number, h: number, l: number, c: number): CandleRow {
  const bar: Candle = {
    symbol,
    interval,
    windowStart: start,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: 100,
    notional: 100 * c,
    vwap: c,
    tradeCount: 1,
    firstTs: start,
    firstTradeId: "1",
    lastTs: start,
    lastTradeId: "1",
  };
  return { candle: bar, isFinal: true, sourcePartition: undefined, lastOffset: undefined };
}

/** `days` daily bars ending the day before `endDay`, with log-AR(1) variance, so HAR has something to fit. */
function dailyBars(symbol: string, days: number, seed: number): CandleRow[] {
  const rng = createPrng(seed, symbol);
  const rows: CandleRow[] = [];
  let logVar = Math.log(1e-4);
  let price = 100;
  for (let i = days; i >= 1; i--) {
    logVar = Math.log(1e-4) + 0.9 * (logVar - Math.log(1e-4)) + 0.4 * nextNormal(rng);
    const sd = Math.sqrt(Math.exp(logVar));
    const open = price;
    const close = open * Math.exp(sd * nextNormal(rng));
    const high = Math.max(open, close) * Math.exp(0.5 * sd * Math.abs(nextNormal(rng)));
    const low = Math.min(open, close) * Math.exp(-0.5 * sd * Math.abs(nextNormal(rng)));
    rows.push(candle(symbol, "1d", TODAY_START - i * DAY_MS, open, high, low, close));
    price = close;
  }
  return rows;
}

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  store = createCassandraStore(client, keyspace);
  models = createVolModelStore(client, keyspace);
  const minutes = Array.from({ length: 30 }, (_, i) => {
    const o = 100 + 0.05 * Math.sin(i);
    return candle("TVA", "1m", SESSION_START + i * 60_000, o, o + 0.08, o - 0.07, o + 0.02);
  });
  await store.writeCandles([...dailyBars("TVA", 300, 1), ...dailyBars("TVB", 30, 2), ...minutes], Date.now());
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  redis.disconnect();
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

describe("volatility models trained in batch and scored live", () => {
  it("trains a version, scores with it, and picks up a retrain within the refresh interval without a restart", async () => {
    const { queue, events, startWorker } = await openBatchQueue({ redis, store, closers, deps: { volModels: models } });
    startWorker();

    const payload: TrainVolatilityPayload = { symbols: ["TVA", "TVB"], asOf: "2026-01-04", lookbackDays: 250 };
    const first = await queue.add(BATCH_JOBS.trainVolatility, payload);
    const result1 = (await first.waitUntilFinished(events, 60_000)) as TrainVolatilityResult;
    expect(result1).toEqual({ asOf: "2026-01-04", symbols: 2, trained: 1, skipped: 1 });
    const v1 = await models.latestModel("TVA");
    expect(v1).toBeDefined();
    expect(await models.latestModel("TVB")).toBeUndefined();
    expect(v1?.nObs).toBe(250 - 22);
    expect(v1?.trainToMs).toBe(Date.parse("2026-01-04T00:00:00Z"));
    expect(v1?.jobId).toBe(first.id);
    expect(v1?.params.nObs).toBe(v1?.nObs);
    expect(Number.isFinite(v1?.naiveQlike)).toBe(true);

    const published: LiveUpdate[] = [];
    const forecaster = createVolForecaster({
      models,
      store,
      log: testLog,
      refreshMs: REFRESH_MS,
      maxSymbols: 100,
      nowMs: () => NOW,
      publish: (u) => published.push(...u),
    });
    forecaster.start();
    closers.push(() => forecaster.stop());
    await eventually(
      async () => (await models.getForecast("TVA", TODAY))?.modelVersion === v1?.version,
      "a forecast scored with the first version",
    );
    const f1 = await models.getForecast("TVA", TODAY);
    expect(f1).toMatchObject({
      symbol: "TVA",
      day: TODAY,
      intradayBars: 30,
      referencePrice: 100,
      sessionStartMs: SESSION_START,
      throughMs: SESSION_START + 30 * 60_000,
    });
    expect(f1?.elapsedFraction).toBeCloseTo(30 / 390, 12);
    expect(f1?.variance).toBeCloseTo(blendDayVariance(f1?.harVariance ?? 0, f1?.realizedVariance ?? 0, 30 / 390), 15);
    expect(f1?.historyToMs).toBe(TODAY_START - DAY_MS);
    expect(published.some((u) => u.type === "forecast" && u.symbol === "TVA" && u.modelVersion === v1?.version)).toBe(true);

    // Retrain on a shorter window: a new, larger version; the running forecaster switches to it.
    const second = await queue.add(BATCH_JOBS.trainVolatility, { ...payload, lookbackDays: 120 } satisfies TrainVolatilityPayload);
    expect(await second.waitUntilFinished(events, 60_000)).toMatchObject({ trained: 1, skipped: 1 });
    const v2 = await models.latestModel("TVA");
    expect(v2?.version).toBeGreaterThan(v1?.version ?? Infinity);
    expect(v2?.nObs).toBe(120 - 22);
    const pickedAt = Date.now();
    await eventually(
      async () => (await models.getForecast("TVA", TODAY))?.modelVersion === v2?.version,
      "a forecast scored with the retrained version",
      10 * REFRESH_MS + 5_000,
    );
    expect(Date.now() - pickedAt).toBeLessThan(10 * REFRESH_MS + 5_000);
    expect(forecaster.modelVersion("TVA")).toBe(v2?.version);
    expect((await models.modelVersions("TVA")).map((m) => m.version)).toEqual([v2?.version, v1?.version]);
    expect(forecaster.stats()).toMatchObject({ symbols: 1, errors: 0 });
  }, 120_000);
  it("splits the scoring between two stream workers: each symbol with a model is scored by exactly one", async () => {
    const symbols = ["TVC", "TVD", "TVE", "TVF"];
    await store.writeCandles(
      symbols.flatMap((symbol, i) => dailyBars(symbol, 300, 10 + i)),
      Date.now(),
    );
    const { queue, events, startWorker } = await openBatchQueue({ redis, store, closers, deps: { volModels: models } });
    startWorker();
    const trained = await queue.add(BATCH_JOBS.trainVolatility, {
      symbols,
      asOf: "2026-01-04",
      lookbackDays: 250,
    } satisfies TrainVolatilityPayload);
    expect(await trained.waitUntilFinished(events, 60_000)).toMatchObject({ trained: symbols.length });
    const modelled = new Set((await models.latestModels(100)).map((m) => m.symbol));

    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "vol-split-test", log: testLog });
    const topics = topicNames(`${uniqueName("tvs")}.`);
    const admin = kafka.admin();
    await admin.connect();
    closers.push(async () => {
      await admin
        .deleteTopics({ topics: Object.values(topics) })
        .catch((error: unknown) => testLog.warn({ err: error }, "deleting test topics"));
      await admin.disconnect();
    });
    await ensureTopics(admin, applicationTopics(6, 1, topics));
    const producer = await connectProducer(kafka);
    closers.push(() => producer.disconnect());
    const settings = { ...config.stream, groupId: uniqueName("test-vol-split"), sessionTimeoutMs: 3_000 };
    const volForecast = { models, refreshMs: 60_000, scoreEveryMs: 3_600_000, maxSymbols: 100, nowMs: () => NOW };
    const workers: StreamWorker[] = [];
    for (let i = 0; i < 2; i++) {
      const worker = await startStreamWorker({ kafka, producer, store, topics, settings, log: testLog, volForecast });
      closers.push(() => worker.stop());
      workers.push(worker);
    }

    // Once the group has settled on two members, each worker's forecaster scores its own symbols.
    let scoredBy: string[][] = [];
    await eventually(
      async () => {
        scoredBy = await Promise.all(
          workers.map(async (w) => (await (w.forecaster?.scoreAll() ?? Promise.resolve([]))).map((row) => row.symbol)),
        );
        return scoredBy.every((own) => own.length < modelled.size) && scoredBy.flat().length === modelled.size;
      },
      "the two workers to split the symbols",
      60_000,
    );
    expect(new Set(scoredBy.flat())).toEqual(modelled);
  }, 120_000);
});
