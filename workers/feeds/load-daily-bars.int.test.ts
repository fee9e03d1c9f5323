// The daily history loader against the real Cassandra, on the daily Yahoo files of the sample
// data set (data/samples, shipped with the repository): loads them as final 1d candles, a second run writes nothing, and the
// training job fits every symbol on them with HAR beating the naive forecast in sample.
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CassandraStore } from "../../adapters/cassandra-store";
import { getConfig } from "../../adapters/config";
import { listMarketData } from "../../adapters/market-data";
import { createVolModelStore } from "../../adapters/vol-model-store";
import type { TrainVolatilityPayload } from "../../core/batch-jobs";
import { migrate } from "../../db/migrations";
import { testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { runTrainVolatility } from "../batch/run-train-volatility";
import { loadDailyFile } from "./load-daily-bars";

const config = getConfig();
const files = listMarketData(config.marketDataDir, "daily_yahoo", "_data.csv");
const keyspace = uniqueName("test_daily");
const connect = connectTestCassandra;
let client: CassandraClient;
let store: CassandraStore;

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  store = createCassandraStore(client, keyspace);
}, 120_000);

afterAll(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

/** Just enough of a BullMQ job for a runner called in-process. */
function fakeJob(data: TrainVolatilityPayload): Job {
  const lines: string[] = [];
  return {
    id: "test-1",
    name: "train-volatility",
    data,
    opts: {},
    timestamp: Date.now(),
    log: (l: string) => Promise.resolve(lines.push(l)),
    updateProgress: () => Promise.resolve(),
    updateData: () => Promise.resolve(),
  } as unknown as Job;
}

describe("daily history loader on the real daily files", () => {
  it("loads every bar as a final 1d candle once, and the training job fits HAR that beats naive in sample on each symbol", async () => {
    const now = Date.now();
    const first = await Promise.all(files.map((f) => loadDailyFile(store, f, now)));
    const written = first.reduce((s, r) => s + r.written, 0);
    const invalid = first.flatMap((r) => r.invalid);
    expect(written + invalid.length).toBe(25_177);
    expect(invalid).toEqual(["DIS_data.csv:1260 high/low do not bound open/close"]);
    const again = await Promise.all(files.map((f) => loadDailyFile(store, f, now + 1)));
    expect(again.every((r) => r.skipped && r.written === 0)).toBe(true);

    const aapl = await store.getCandles("AAPL", "1d", Date.parse("2020-01-10T00:00:00Z"), Date.parse("2020-01-10T00:00:00Z"));
    expect(aapl[0]).toMatchObject({ isFinal: true, candle: { interval: "1d", open: 310.6, high: 312.67, low: 308.25, close: 310.33 } });

    const models = createVolModelStore(client, keyspace);
    const symbols = first.map((r) => r.symbol as string);
    const result = await runTrainVolatility(
      {
        store,
        log: testLog,
        isCancelled: () => Promise.resolve(false),
        nowMs: Date.now,
        dataQuality: { gapThresholdMs: 1, outlierSpreads: 1, quoteToleranceMs: 1 },
      },
      fakeJob({ symbols, asOf: "2026-11-25", lookbackDays: 750 }),
      models,
    );
    expect(result).toEqual({ asOf: "2026-11-25", symbols: 20, trained: 20, skipped: 0 });
    const rows = await Promise.all(symbols.map((s) => models.latestModel(s)));
    const beats = rows.filter((m) => m !== undefined && m.inSampleQlike < m.naiveQlike);
    console.log(
      `in-sample QLIKE HAR vs naive, 750 days to 2020-01-10: ${rows.map((m) => `${m?.symbol} ${m?.inSampleQlike.toFixed(3)}/${m?.naiveQlike.toFixed(3)}`).join(", ")}`,
    );
    // DIS's last row (2020-01-10) is invalid, so its data ends a day earlier.
    for (const m of rows)
      expect(m).toMatchObject({
        nObs: 750 - 22,
        trainToMs: Date.parse(m?.symbol === "DIS" ? "2020-01-09T00:00:00Z" : "2020-01-10T00:00:00Z"),
      });
    expect(beats).toHaveLength(20);
  }, 180_000);
});
