// Baseline of `npm run bench:pipeline`, run as its own process: Cassandra's insert ceiling for the
// `trades` table shape on this machine, with the bare driver (no product code): `--rows` rows of
// `--symbols` symbols, (a) one prepared INSERT per row through executeConcurrent, (b) UNLOGGED
// batches of `--batch` rows of one partition (symbol, day), `--concurrency` in flight. Prints one
// JSON line with rows and seconds of each.
import { parseArgs } from "node:util";
import cassandra from "cassandra-driver";
import { cassandraSecurityOptions } from "../../adapters/cassandra";
import { getConfig } from "../../adapters/config";

const { values } = parseArgs({
  options: {
    keyspace: { type: "string" },
    rows: { type: "string", default: "200000" },
    symbols: { type: "string", default: "50" },
    batch: { type: "string", default: "100" },
    concurrency: { type: "string", default: "32" },
  },
});
const config = getConfig();
const keyspace = values.keyspace ?? "";
const rows = Number(values.rows);
const symbolCount = Number(values.symbols);
const batchRows = Number(values.batch);
const concurrency = Number(values.concurrency);
const client = new cassandra.Client({
  contactPoints: config.cassandra.contactPoints,
  localDataCenter: config.cassandra.localDataCenter,
  // Credentials and TLS of a secure stack (the driver is otherwise bare).
  ...cassandraSecurityOptions(config.cassandra.security),
  queryOptions: { prepare: true, isIdempotent: true, consistency: cassandra.types.consistencies.localQuorum },
});
await client.connect();
const insert = `INSERT INTO ${keyspace}.trades (symbol, day, ts, trade_id, price, size, venue, suspicious, bid, ask, side, effective_spread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const day = "2026-01-05";
const baseTs = Date.UTC(2026, 0, 5, 14, 30);

/** Row i of a run: symbols round-robin, ts advancing, as a feed of `rows` trades would give. */
function row(run: string, i: number): unknown[] {
  return [
    `${run}${String(i % symbolCount).padStart(3, "0")}`,
    day,
    new Date(baseTs + i),
    `c-${i}`,
    100 + (i % 100) / 100,
    100,
    "Q",
    false,
    99.99,
    100.01,
    "buy",
    0.01,
  ];
}

async function perRow(run: string): Promise<number> {
  const started = Date.now();
  const params = Array.from({ length: rows }, (_, i) => row(run, i));
  await cassandra.concurrent.executeConcurrent(client, insert, params, { concurrencyLevel: 64, raiseOnFirstError: true });
  return (Date.now() - started) / 1000;
}

async function batched(run: string): Promise<number> {
  const started = Date.now();
  // Group by partition (symbol), then cut into batches of batchRows.
  const bySymbol = new Map<string, unknown[][]>();
  for (let i = 0; i < rows; i++) {
    const r = row(run, i);
    const key = r[0] as string;
    let list = bySymbol.get(key);
    if (!list) bySymbol.set(key, (list = []));
    list.push(r);
  }
  const batches: unknown[][][] = [];
  for (const list of bySymbol.values()) for (let i = 0; i < list.length; i += batchRows) batches.push(list.slice(i, i + batchRows));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length) {
      const b = batches[next++] as unknown[][];
      await client.batch(
        b.map((params) => ({ query: insert, params })),
        { prepare: true, logged: false },
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (Date.now() - started) / 1000;
}

const perRowSeconds = await perRow("CA");
const batchedSeconds = await batched("CB");
await client.shutdown();
console.log(JSON.stringify({ rows, perRowSeconds, batchedSeconds, batchRows, concurrency }));
