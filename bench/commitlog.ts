// npm run bench:commitlog — what waiting for the commit log's fsync costs writes. Starts a private
// Cassandra node (ports 19042/17000/17199, data under <data dir>/bench-commitlog/, removed after)
// once per commit-log sync mode — periodic 10 s (acks before the fsync), group with a few windows,
// batch — runs the load generator (bench/commitlog/load.ts, its own process) against each, and
// prints rows/s at the stream worker's write concurrency and the latency of one writer. The local
// stack's node is not touched.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { connectCassandra } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { probeCassandraClient } from "../adapters/health";
import { portInUse, startDetached, stopProcess } from "../infra/processes";
import { errorMessage, waitFor } from "../infra/progress";
import { cassandraLaunch, prepareCassandra, type CommitlogSync } from "../infra/servers";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    sequential: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "64" },
  },
});
const config = getConfig();
const PORTS = { nativePort: 19042, storagePort: 17000, jmxPort: 17199 };
type Mode = { commitlogSync: CommitlogSync; concurrentWrites: number };
const MODES: Mode[] = [
  { commitlogSync: { mode: "periodic", periodMs: 10_000 }, concurrentWrites: 8 },
  { commitlogSync: { mode: "batch" }, concurrentWrites: 8 },
  { commitlogSync: { mode: "batch" }, concurrentWrites: 64 },
  { commitlogSync: { mode: "group", windowMs: 2 }, concurrentWrites: 64 },
  { commitlogSync: { mode: "group", windowMs: 10 }, concurrentWrites: 64 },
];
const syncLabel = (m: CommitlogSync) =>
  m.mode === "periodic" ? `periodic ${m.periodMs} ms` : m.mode === "group" ? `group ${m.windowMs} ms` : "batch";
const label = (m: Mode) => `${syncLabel(m.commitlogSync)}, concurrent_writes ${m.concurrentWrites}`;
const quiet = pino({ level: "silent" });
const root = path.resolve(config.dataDir, "bench-commitlog");

for (const port of Object.values(PORTS)) {
  if (await portInUse(port)) throw new Error(`port ${port} is in use: is another bench:commitlog running?`);
}

type Result = { rowsPerS: number; batchRows: number; batchedRowsPerS: number; p50Ms: number; p99Ms: number };
const results: { mode: string; result: Result }[] = [];
for (const mode of MODES) {
  const ctx = { config, dir: path.join(root, "node") };
  fs.rmSync(ctx.dir, { recursive: true, force: true });
  const node = { ...PORTS, ...mode };
  prepareCassandra(ctx, node);
  const pidFile = path.join(ctx.dir, "cassandra.pid");
  const launch = await cassandraLaunch(ctx, node);
  startDetached({ ...launch, cwd: ctx.dir, logFile: path.join(ctx.dir, "logs", "cassandra.log"), pidFile });
  try {
    const startedMs = Date.now();
    await waitFor(
      async () => {
        const client = await connectCassandra({
          contactPoints: [`127.0.0.1:${PORTS.nativePort}`],
          localDataCenter: config.cassandra.localDataCenter,
          log: quiet,
        });
        try {
          return await probeCassandraClient(client);
        } finally {
          await client.shutdown();
        }
      },
      { timeoutMs: 240_000 },
    );
    process.stderr.write(`${label(mode)}: node ready in ${((Date.now() - startedMs) / 1000).toFixed(0)} s, loading…\n`);
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/commitlog/load.ts",
        "--contact",
        `127.0.0.1:${PORTS.nativePort}`,
        "--rows",
        values.rows,
        "--sequential",
        values.sequential,
        "--concurrency",
        values.concurrency,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, LOG_LEVEL: "error" } }, // eslint-disable-line no-restricted-syntax -- the load generator inherits the environment
    );
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    if (run.status !== 0) throw new Error(`load generator exited ${run.status}: ${line}`);
    const result = JSON.parse(line) as Result;
    results.push({ mode: label(mode), result });
    process.stderr.write(`${label(mode)}: ${JSON.stringify(result)}\n`);
  } catch (error) {
    process.stderr.write(`${label(mode)}: failed: ${errorMessage(error)}\n`);
    throw error;
  } finally {
    await stopProcess(pidFile, 45_000);
    fs.rmSync(ctx.dir, { recursive: true, force: true });
  }
}

fs.rmSync(root, { recursive: true, force: true });

const base = results[0]?.result;
const vsBase = (value: number, of: number | undefined) => (of ? `${(((value - of) / of) * 100).toFixed(0)} %` : "");
const batchRows = base?.batchRows ?? 0;
console.log(
  `\ncommit-log sync cost: ${values.rows} upserts at concurrency ${values.concurrency}, single rows then single-partition batches of ${batchRows}; then ${values.sequential} sequential upserts (one writer)`,
);
console.log(
  `| commitlog_sync, concurrent_writes | rows/s, single rows | vs periodic | rows/s, batches of ${batchRows} | vs periodic | one writer p50 | one writer p99 |`,
);
console.log("|---|---|---|---|---|---|---|");
for (const { mode, result: r } of results) {
  const fmt = (n: number) => n.toLocaleString("en-US");
  console.log(
    `| ${mode} | ${fmt(r.rowsPerS)} | ${vsBase(r.rowsPerS, base?.rowsPerS)} | ${fmt(r.batchedRowsPerS)} | ${vsBase(r.batchedRowsPerS, base?.batchedRowsPerS)} | ${r.p50Ms} ms | ${r.p99Ms} ms |`,
  );
}
