// A simulated symbol (TVS.SIM) has no daily history of its own: the train-volatility job fits it on
// the daily candles of the real ticker it is calibrated on (TVS), and the stream's forecaster scores
// it with that history and its own intraday candles, so the dashboard shows a forecast for it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CandleRow, type CassandraStore } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { createRedis } from "../../adapters/redis";
import { createVolModelStore, type VolModelStore } from "../../adapters/vol-model-store";
import { BATCH_JOBS, type TrainVolatilityPayload, type TrainVolatilityResult } from "../../core/batch-jobs";
import type { Candle } from "../../core/candles";
import { createPrng, nextNormal } from "../../core/simulator";
import { migrate } from "../../db/migrations";
import { openBatchQueue } from "../../test/batch-queue";
import { eventually, testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { createVolForecaster } from "../stream/vol-forecaster";

const config = getConfig();
const keyspace = uniqueName("test_volsim");
const connect = connectTestCassandra;
const redis = createRedis(config.redis.url, "worker", testLog);
const DAY_MS = 86_400_000;
const TODAY = "2026-01-05";
const TODAY_START = Date.parse(`${TODAY}T00:00:00Z`);
const NOW = TODAY_START + 10.5 * 3_600_000;
const SESSION_START = TODAY_START + 10 * 3_600_000;

let client: CassandraClient;
let store: CassandraStore;
let models: VolModelStore;
const closers: Array<() => Promise<unknown>> = [];

function row(symbol: string, interval: "1d" | "1m", start: number, o: number, h: number, l: number, c: number): CandleRow {
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

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  store = createCassandraStore(client, keyspace);
  models = createVolModelStore(client, keyspace);
  const rng = createPrng(5, "TVS");
  const daily: CandleRow[] = [];
  let logVar = Math.log(1e-4);
  let price = 100;
  for (let i = 300; i >= 1; i--) {
    logVar = Math.log(1e-4) + 0.9 * (logVar - Math.log(1e-4)) + 0.4 * nextNormal(rng);
    const sd = Math.sqrt(Math.exp(logVar));
    const close = price * Math.exp(sd * nextNormal(rng));
    daily.push(
      row(
        "TVS",
        "1d",
        TODAY_START - i * DAY_MS,
        price,
        Math.max(price, close) * (1 + sd / 2),
        Math.min(price, close) * (1 - sd / 2),
        close,
      ),
    );
    price = close;
  }
  // The simulated symbol trades today only: 30 one-minute candles, no daily candle.
  const minutes = Array.from({ length: 30 }, (_, i) => row("TVS.SIM", "1m", SESSION_START + i * 60_000, 50, 50.04, 49.97, 50.01));
  await store.writeCandles([...daily, ...minutes], Date.now());
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  redis.disconnect();
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

describe("volatility of a simulated symbol", () => {
  it("is trained (at start, as a symbol without a model) on the daily history of the real ticker it is calibrated on, and scored with it", async () => {
    const { queue, events, startWorker } = await openBatchQueue({ redis, store, closers, deps: { volModels: models } });
    startWorker();

    // What the batch worker enqueues at start: only symbols without a model, so this one.
    const payload = { symbols: ["TVS.SIM"], asOf: "2026-01-04", lookbackDays: 250, missingOnly: true } satisfies TrainVolatilityPayload;
    const job = await queue.add(BATCH_JOBS.trainVolatility, payload);
    expect((await job.waitUntilFinished(events, 60_000)) as TrainVolatilityResult).toEqual({
      asOf: "2026-01-04",
      symbols: 1,
      trained: 1,
      skipped: 0,
    });
    const model = await models.latestModel("TVS.SIM");
    expect(model?.nObs).toBe(250 - 22);
    expect(model?.trainToMs).toBe(Date.parse("2026-01-04T00:00:00Z"));
    expect(await models.latestModel("TVS")).toBeUndefined();
    // Started again: it has a model now, which is the nightly run's to renew.
    const again = await queue.add(BATCH_JOBS.trainVolatility, payload);
    expect((await again.waitUntilFinished(events, 60_000)) as TrainVolatilityResult).toMatchObject({ trained: 0, skipped: 1 });
    expect((await models.latestModel("TVS.SIM"))?.version).toBe(model?.version);

    const forecaster = createVolForecaster({ models, store, log: testLog, refreshMs: 60_000, maxSymbols: 100, nowMs: () => NOW });
    closers.push(() => forecaster.stop());
    await forecaster.refreshModels();
    await eventually(async () => (await models.getForecast("TVS.SIM", TODAY)) !== undefined, "a forecast of the simulated symbol");
    const forecast = await models.getForecast("TVS.SIM", TODAY);
    expect(forecast).toMatchObject({
      modelVersion: model?.version,
      intradayBars: 30,
      referencePrice: 50,
      historyToMs: TODAY_START - DAY_MS,
    });
    expect(forecast?.harVariance).toBeGreaterThan(0);
  }, 120_000);
});
