// vol_models through its one row mapper, on the real Cassandra: the strict mode (scoring) refuses
// params it cannot score with, the lenient mode (the admin view) shows the same rows as stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../db/migrations";
import type { HarParams } from "../core/vol-forecast";
import { uniqueName, connectTestCassandra } from "../test/helpers";
import type { CassandraClient } from "./cassandra";
import { createVolModelStore, type VolModelStore } from "./vol-model-store";

const keyspace = uniqueName("test_volstore");
const connect = connectTestCassandra;
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
let client: CassandraClient;
let store: VolModelStore;

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  store = createVolModelStore(client, keyspace);
  await store.writeModel({
    symbol: "GOOD",
    version: 2_000,
    params: PARAMS,
    trainedAtMs: 2_000,
    jobId: "j",
    trainFromMs: 1,
    trainToMs: 2,
    nObs: 728,
    r2: 0.4,
    inSampleQlike: 0.3,
    naiveQlike: 0.55,
  });
  const insert = `INSERT INTO ${keyspace}.vol_models (symbol, version, model, params, trained_at, n_obs) VALUES (?, ?, ?, ?, ?, ?)`;
  await client.execute(insert, ["NOTJSON", 5, "har-rv", "{oops", new Date(5), 3], { prepare: true });
  await client.execute(insert, ["NOTHAR", 6, "har-rv", '{"beta":[0.1,0.4]}', new Date(6), 3], { prepare: true });
});

afterAll(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

describe("vol_models row mapper", () => {
  it("scores only rows whose params are HAR parameters, naming the symbol and version of any other", async () => {
    expect((await store.latestModel("GOOD"))?.params).toEqual(PARAMS);
    await expect(store.latestModel("NOTJSON")).rejects.toThrow(/^vol_models NOTJSON@5: bad params: not JSON/);
    await expect(store.latestModel("NOTHAR")).rejects.toThrow(/^vol_models NOTHAR@6: bad params: /);
    await expect(store.latestModels(10)).rejects.toThrow(/bad params/);
  });

  it("shows every newest version as stored in the lenient mode, with why its params would not score", async () => {
    const stored = new Map((await store.latestStoredModels(10)).map((m) => [m.symbol, m]));
    expect([...stored.keys()].sort()).toEqual(["GOOD", "NOTHAR", "NOTJSON"]);
    expect(stored.get("GOOD")).toMatchObject({ version: 2_000, params: PARAMS, paramsProblem: undefined, jobId: "j", nObs: 728 });
    expect(stored.get("NOTJSON")).toMatchObject({
      version: 5,
      model: "har-rv",
      params: undefined,
      trainedAtMs: 5,
      jobId: undefined,
      r2: undefined,
      nObs: 3,
    });
    expect(stored.get("NOTJSON")?.paramsProblem).toMatch(/^not JSON/);
    expect(stored.get("NOTHAR")).toMatchObject({ params: { beta: [0.1, 0.4] } });
    expect(stored.get("NOTHAR")?.paramsProblem).toEqual(expect.any(String));
  });
});
