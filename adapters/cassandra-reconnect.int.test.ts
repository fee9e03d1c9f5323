import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, testLog } from "../test/helpers";
import { startOutageProxy, type OutageProxy } from "../test/outage-proxy";
import { CASSANDRA_RECONNECT_MAX_MS, connectCassandra, type CassandraClient } from "./cassandra";
import { getConfig } from "./config";

const config = getConfig();
let proxy: OutageProxy;
let client: CassandraClient;

const answers = async (): Promise<boolean> => {
  try {
    await client.execute("SELECT release_version FROM system.local");
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  proxy = await startOutageProxy(config.cassandra.contactPoints[0] ?? "127.0.0.1:9042");
  client = await connectCassandra({ contactPoints: [proxy.address], localDataCenter: config.cassandra.localDataCenter, log: testLog });
});

afterAll(async () => {
  await client?.shutdown();
  await proxy?.close();
});

describe("a Cassandra client after its node went away", () => {
  it("keeps trying at most every 2 s and answers again within 2.5 s of the node coming back", async () => {
    expect(await answers()).toBe(true);
    const downAtMs = Date.now();
    proxy.down();
    await eventually(async () => !(await answers()), "queries to fail while the node is down", 10_000);
    // Down long enough for the waits to reach their cap: an attempt 8 s in comes at ~9.75 s under
    // this policy, at ~15 s under the driver's default (1 s doubling to 10 min), which fails here.
    await eventually(() => (proxy.refusedAtMs.at(-1) ?? 0) - downAtMs >= 8_000, "a reconnection attempt 8 s into the outage", 12_000);
    const gapsMs = proxy.refusedAtMs.slice(1).map((at, i) => at - (proxy.refusedAtMs[i] ?? at));
    expect(Math.max(...gapsMs)).toBeLessThanOrEqual(CASSANDRA_RECONNECT_MAX_MS + 300);

    proxy.up();
    const backAtMs = Date.now();
    await eventually(answers, "queries to succeed again", 10_000);
    expect(Date.now() - backAtMs).toBeLessThan(CASSANDRA_RECONNECT_MAX_MS + 500);
  });
});
