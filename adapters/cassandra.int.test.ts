import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testLog, uniqueName } from "../test/helpers";
import { connectCassandra, executeMany, type CassandraClient } from "./cassandra";
import { getConfig } from "./config";

const config = getConfig();
const keyspace = uniqueName("test_ks");
let client: CassandraClient;

beforeAll(async () => {
  client = await connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    log: testLog,
  });
  await client.execute(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await client.execute(
    `CREATE TABLE ${keyspace}.ticks (symbol text, day text, ts timestamp, price double, size double,
       PRIMARY KEY ((symbol, day), ts)) WITH CLUSTERING ORDER BY (ts DESC)`,
  );
});

afterAll(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

describe("Cassandra through the adapter", () => {
  it("writes rows concurrently with a prepared statement and reads them back newest first", async () => {
    const base = Date.UTC(2013, 9, 7, 13, 30);
    const rows = Array.from({ length: 500 }, (_, i) => ["IBM", "2013-10-07", new Date(base + i * 1000), 180 + i / 100, 100 + i]);
    await executeMany(client, `INSERT INTO ${keyspace}.ticks (symbol, day, ts, price, size) VALUES (?, ?, ?, ?, ?)`, rows, 32);

    const result = await client.execute(`SELECT ts, price, size FROM ${keyspace}.ticks WHERE symbol = ? AND day = ? LIMIT 3`, [
      "IBM",
      "2013-10-07",
    ]);
    expect(result.rows.map((row) => (row.get("ts") as Date).getTime())).toEqual([base + 499_000, base + 498_000, base + 497_000]);
    expect(result.rows[0]?.get("price")).toBeCloseTo(184.99, 10);
    const count = await client.execute(`SELECT count(*) AS n FROM ${keyspace}.ticks WHERE symbol = ? AND day = ?`, ["IBM", "2013-10-07"]);
    expect(Number(count.first()?.get("n"))).toBe(500);
  });

  it("makes a repeated write an upsert, not a duplicate", async () => {
    const ts = new Date(Date.UTC(2013, 9, 8));
    const insert = `INSERT INTO ${keyspace}.ticks (symbol, day, ts, price, size) VALUES (?, ?, ?, ?, ?)`;
    await executeMany(client, insert, [
      ["SPY", "2013-10-08", ts, 168.1, 10],
      ["SPY", "2013-10-08", ts, 168.2, 20],
    ]);
    const result = await client.execute(`SELECT price, size FROM ${keyspace}.ticks WHERE symbol = ? AND day = ?`, ["SPY", "2013-10-08"]);
    expect(result.rows).toHaveLength(1);
  });
});
