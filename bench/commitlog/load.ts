// The load generator of bench:commitlog (its own process): against the node at argv contact point,
// a keyspace of its own with a table shaped like the raw `trades` table, then
//  - throughput: ROWS single-row upserts with bounded concurrency;
//  - throughput: ROWS upserts as UNLOGGED single-partition batches of BATCH_ROWS, same concurrency
//    (one commit-log entry per batch: the fewer entries, the fewer waits for a sync);
//  - latency: sequential single upserts (one writer: a sync window cannot be shared).
// Prints one JSON line.
import { parseArgs } from "node:util";
import { connectCassandra, executeMany } from "../../adapters/cassandra";
import { createLogger } from "../../adapters/logger";

const { values } = parseArgs({
  options: {
    contact: { type: "string", default: "127.0.0.1:19042" },
    rows: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "64" },
    sequential: { type: "string", default: "1000" },
    "batch-rows": { type: "string", default: "50" },
  },
});
const ROWS = Number(values.rows);
const CONCURRENCY = Number(values.concurrency);
const SEQUENTIAL = Number(values.sequential);
const BATCH_ROWS = Number(values["batch-rows"]);
const KEYSPACE = "bench_commitlog";

const client = await connectCassandra({
  contactPoints: [values.contact],
  localDataCenter: "datacenter1",
  log: createLogger("bench-commitlog"),
});
await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
await client.execute(
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.trades (symbol text, day text, ts timestamp, trade_id text, price double, size double, venue text,
     PRIMARY KEY ((symbol, day), ts, trade_id)) WITH CLUSTERING ORDER BY (ts DESC, trade_id ASC)`,
);
const insert = `INSERT INTO ${KEYSPACE}.trades (symbol, day, ts, trade_id, price, size, venue) VALUES (?, ?, ?, ?, ?, ?, ?)`;
const T0 = Date.UTC(2013, 9, 7, 13, 30);
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `S${i}`);
const row = (i: number, tag: string) => [
  SYMBOLS[i % SYMBOLS.length],
  "2013-10-07",
  new Date(T0 + i),
  `${tag}${i}`,
  100 + (i % 100) / 100,
  100,
  "N",
];

// Warm-up: prepared statement, JIT, memtable allocation.
await executeMany(
  client,
  insert,
  Array.from({ length: 5_000 }, (_, i) => row(i, "w")),
  CONCURRENCY,
);

const rows = Array.from({ length: ROWS }, (_, i) => row(i, "t"));
const startedMs = performance.now();
await executeMany(client, insert, rows, CONCURRENCY);
const throughputMs = performance.now() - startedMs;

// Rows grouped by partition (symbol, day), then cut into batches; `CONCURRENCY` batches in flight.
const batchedRows = Array.from({ length: ROWS }, (_, i) => row(i, "b"));
const batches: unknown[][][] = [];
for (const symbol of SYMBOLS) {
  const ofSymbol = batchedRows.filter((r) => r[0] === symbol);
  for (let i = 0; i < ofSymbol.length; i += BATCH_ROWS) batches.push(ofSymbol.slice(i, i + BATCH_ROWS));
}
const batchedStartMs = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      await client.batch(
        batch.map((params) => ({ query: insert, params })),
        { prepare: true, logged: false },
      );
    }
  }),
);
const batchedMs = performance.now() - batchedStartMs;

const latenciesMs: number[] = [];
for (let i = 0; i < SEQUENTIAL; i++) {
  const t = performance.now();
  await client.execute(insert, row(i, "s"));
  latenciesMs.push(performance.now() - t);
}
latenciesMs.sort((a, b) => a - b);
const pct = (p: number) => Number((latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(p * latenciesMs.length))] ?? 0).toFixed(2));
await client.shutdown();
console.log(
  JSON.stringify({
    rows: ROWS,
    concurrency: CONCURRENCY,
    rowsPerS: Math.round(ROWS / (throughputMs / 1000)),
    batchRows: BATCH_ROWS,
    batchedRowsPerS: Math.round(ROWS / (batchedMs / 1000)),
    sequential: SEQUENTIAL,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
  }),
);
