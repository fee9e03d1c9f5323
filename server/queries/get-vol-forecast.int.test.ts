// forecasts.volatility through the tRPC router (createCaller, no HTTP) on the real Cassandra.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createVolModelStore } from "../../adapters/vol-model-store";
import type { HarParams } from "../../core/vol-forecast";
import { migrate } from "../../db/migrations";
import { uniqueName, connectTestCassandra } from "../../test/helpers";
import { createQueryStores, type QueryContext } from "../context";
import { createCaller } from "../routers/app-router";

const keyspace = uniqueName("test_volapi");
const connect = connectTestCassandra;
let client: CassandraClient;
let caller: ReturnType<typeof createCaller>;
const PARAMS: HarParams = {
  model: "har-rv",
  transform: "log",
  proxy: "garman-klass",
  coefficients: { intercept: -1, daily: 0.3, weekly: 0.3, monthly: 0.3 },
  residualVariance: 0.5,
  varianceFloor: 1e-10,
  trainedFrom: Date.UTC(2017, 0, 3),
  trainedTo: Date.UTC(2020, 0, 10),
  nObs: 728,
  inSample: { r2: 0.4, qlike: 0.3, rmseVariance: 1e-4 },
};

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  const ctx: QueryContext = { ...createQueryStores(client, keyspace), nowMs: Date.now };
  caller = createCaller({ db: () => Promise.resolve(ctx) });
  const vol = createVolModelStore(client, keyspace);
  for (const version of [1_000, 2_000]) {
    await vol.writeModel({
      symbol: "TVF",
      version,
      params: PARAMS,
      trainedAtMs: version,
      jobId: "j",
      trainFromMs: PARAMS.trainedFrom,
      trainToMs: PARAMS.trainedTo,
      nObs: 728,
      r2: 0.4,
      inSampleQlike: 0.3,
      naiveQlike: 0.55,
    });
  }
  for (const day of ["2026-01-05", "2026-01-06"]) {
    await vol.writeForecast({
      symbol: "TVF",
      day,
      modelVersion: 2_000,
      computedAtMs: Date.parse(`${day}T15:00:00Z`),
      throughMs: Date.parse(`${day}T15:00:00Z`),
      harVariance: 4e-4,
      realizedVariance: 1e-4,
      elapsedFraction: 0.25,
      variance: 4e-4,
      sigma: 0.02,
      referencePrice: 100,
      sessionStartMs: Date.parse(`${day}T14:30:00Z`),
      sessionMinutes: 390,
      intradayBars: 30,
      historyToMs: PARAMS.trainedTo,
    });
  }
  await client.execute(`INSERT INTO ${keyspace}.symbols (symbol, last_seen) VALUES (?, ?)`, ["TVNONE", new Date()]);
}, 120_000);

afterAll(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

describe("forecasts.volatility", () => {
  it("returns the newest day's forecast by default, a given day's on request, and the newest model version", async () => {
    const newest = await caller.forecasts.volatility({ symbol: "tvf" });
    expect(newest.forecast).toMatchObject({
      day: "2026-01-06",
      modelVersion: 2_000,
      sigma: 0.02,
      sigmaPct: 2,
      referencePrice: 100,
      elapsedFraction: 0.25,
    });
    expect(newest.forecast?.annualizedPct).toBeCloseTo(2 * Math.sqrt(252), 10); // 31.749
    expect(newest.model).toMatchObject({ version: 2_000, model: "har-rv", nObs: 728, naiveQlike: 0.55, trainTo: PARAMS.trainedTo });
    expect((await caller.forecasts.volatility({ symbol: "TVF", day: "2026-01-05" })).forecast?.day).toBe("2026-01-05");
    expect((await caller.forecasts.volatility({ symbol: "TVF", day: "2026-01-04" })).forecast).toBeNull();
  });

  it("answers nulls for a known symbol without a model, and NOT_FOUND for an unknown one", async () => {
    expect(await caller.forecasts.volatility({ symbol: "TVNONE" })).toEqual({ symbol: "TVNONE", forecast: null, model: null });
    const error = await caller.forecasts.volatility({ symbol: "NOPE" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("NOT_FOUND");
  });
});
