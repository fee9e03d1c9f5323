import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName, connectTestCassandra } from "../test/helpers";
import { migrate, readMigrations } from "./migrations";

const keyspace = uniqueName("test_migrate");
const connect = connectTestCassandra;
const replication = { class: "SimpleStrategy" as const, replication_factor: 1 };

afterAll(async () => {
  const client = await connect();
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client.shutdown();
});

describe("db migrations on the real Cassandra", () => {
  it("applies every shipped migration once, then nothing, and creates the named tables", async () => {
    const first = await migrate(connect, keyspace, replication);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await migrate(connect, keyspace, replication);
    expect(second).toEqual({ applied: [], skipped: first.applied });

    const client = await connect();
    const tables = await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [keyspace]);
    await client.shutdown();
    expect(tables.rows.map((row) => row.get("table_name") as string).sort()).toEqual(
      [
        "alerts",
        "candles",
        "data_quality",
        "latest",
        "prices",
        "quotes",
        "schema_migrations",
        "stream_progress",
        "symbols",
        "trades",
        "vol_forecasts",
        "vol_models",
      ].sort(),
    );
  });

  it("refuses an applied migration whose file has changed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
    const ks = uniqueName("test_changed");
    try {
      fs.writeFileSync(path.join(dir, "001_t.cql"), "CREATE TABLE IF NOT EXISTS t (k int PRIMARY KEY);");
      await migrate(connect, ks, replication, readMigrations(dir));
      fs.writeFileSync(path.join(dir, "001_t.cql"), "CREATE TABLE IF NOT EXISTS t (k int PRIMARY KEY, v int);");
      await expect(migrate(connect, ks, replication, readMigrations(dir))).rejects.toThrow(/001_t.cql .*has changed/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      const client = await connect();
      await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
      await client.shutdown();
    }
  });
});
