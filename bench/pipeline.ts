// npm run bench:pipeline — stream pipeline throughput, all in ONE run on the same broker and
// Cassandra, each party in its own process: N trades (+ quotes at a ratio) of 50 symbols produced
// to fresh topics; then the bare kafkajs consumer's rate (the read ceiling); Cassandra's insert
// ceiling for the trades table (per-row prepared INSERTs and UNLOGGED single-partition batches);
// the stream worker (workers/stream/main.ts) with 1 and with 2 processes, from start to every
// offset committed, with the raw rows counted in Cassandra afterwards; its peak RSS; and the
// highest constant producer rate (ts = now) at which the lag stays flat for 60 s. Prints the
// figures and their ratios; removes its topics and keyspaces at the end.
// Options: --trades N (500000) --quotes-per-trade R (0) --flat-seconds S (60) --skip-flat --skip-two
// --profile DIR (a V8 CPU profile of each worker process).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Admin } from "kafkajs";
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { applicationTopics, createKafka, ensureTopics, topicNames, type TopicNames } from "../adapters/kafka";
import { createLogger } from "../adapters/logger";
import { migrate } from "../db/migrations";
import { progress } from "../infra/progress";
import { servicesUp } from "../infra/services";
import { groupLag as lagOfGroup, startStreamWorker, stopWorkers } from "./pipeline/worker-process";

const { values } = parseArgs({
  options: {
    trades: { type: "string", default: "500000" },
    symbols: { type: "string", default: "50" },
    "quotes-per-trade": { type: "string", default: "0" },
    "flat-seconds": { type: "string", default: "60" },
    "skip-flat": { type: "boolean", default: false },
    "skip-two": { type: "boolean", default: false },
    /** Write a V8 CPU profile of each worker process into this folder. */
    profile: { type: "string" },
  },
});
const TRADES = Number(values.trades);
const SYMBOLS = Number(values.symbols);
const QUOTES_PER_TRADE = Number(values["quotes-per-trade"]);
const FLAT_SECONDS = Number(values["flat-seconds"]);
const PARTITIONS = 6;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const config = getConfig();
const log = createLogger("bench-pipeline");
const RUN = `bp${Date.now().toString(36)}`;
const PREFIX = `${RUN}.`;
const topics: TopicNames = topicNames(PREFIX);
// Live updates and metric snapshots go to a Redis database of their own, away from a dashboard's.
const redisUrl = (() => {
  const url = new URL(config.redis.url);
  url.pathname = "/14";
  return url.toString();
})();

type Json = Record<string, number>;

/** Runs a TypeScript file as its own node process; resolves with its last stdout line parsed as JSON. */
function runChild(file: string, args: string[], env: Record<string, string> = {}): Promise<Json> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, file), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", ...env }, // eslint-disable-line no-restricted-syntax -- the child inherits the environment
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.once("exit", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${file} exited ${code}: ${last}`));
      try {
        resolve(JSON.parse(last) as Json);
      } catch {
        reject(new Error(`${file} printed no result: ${last}`));
      }
    });
  });
}

function startWorker(keyspace: string, group: string): ChildProcess {
  const profile = values.profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${path.resolve(values.profile)}`];
  return startStreamWorker({ prefix: PREFIX, keyspace, group, redisUrl, nodeArgs: profile });
}

/** Peak resident set (VmHWM) of a live process, in MiB. */
function peakRssMiB(pid: number | undefined): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

/** Sum over the tick topics of end offset − the group's committed offset. */
function groupLag(admin: Admin, group: string): Promise<number> {
  return lagOfGroup(admin, group, [topics.trades, topics.quotes]);
}

async function countRows(client: CassandraClient, keyspace: string, table: "trades" | "quotes", day: string): Promise<number> {
  let n = 0;
  for (let i = 0; i < SYMBOLS; i++) {
    const symbol = `BP${String(i).padStart(3, "0")}`;
    const r = await client.execute(`SELECT COUNT(*) AS n FROM ${keyspace}.${table} WHERE symbol = ? AND day = ?`, [symbol, day], {
      prepare: true,
    });
    n += Number(r.first()?.get("n") ?? 0);
  }
  return n;
}

type WorkerRun = {
  workers: number;
  seconds: number;
  toFirstCommitS: number;
  tradesPerS: number;
  rssMiB: number[];
  tradeRows: number;
  quoteRows: number;
};

/** N worker processes on a fresh group and keyspace, from start until every offset is committed. */
async function measureWorkers(
  n: number,
  admin: Admin,
  client: CassandraClient,
  expected: { trades: number; quotes: number },
): Promise<WorkerRun> {
  const keyspace = `${RUN}_w${n}`;
  const group = `${RUN}-w${n}`;
  await migrate(connect, keyspace, config.cassandra.replication);
  const bar = progress(`${n} worker(s)`);
  const total = expected.trades + expected.quotes;
  const startedMs = Date.now();
  const workers = Array.from({ length: n }, () => startWorker(keyspace, group));
  let firstCommitMs: number | undefined;
  let rss: number[] = [];
  try {
    for (;;) {
      if (workers.some((w) => w.exitCode !== null)) throw new Error("a stream worker exited during the run");
      const lag = await groupLag(admin, group);
      if (lag < total) firstCommitMs ??= Date.now();
      bar.update(`${(total - lag).toLocaleString("en-US")}/${total.toLocaleString("en-US")} ticks committed`);
      if (lag === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    rss = workers.map((w) => peakRssMiB(w.pid));
  } finally {
    await stopWorkers(workers);
  }
  const seconds = (Date.now() - startedMs) / 1000;
  const day = "2026-01-05";
  const tradeRows = await countRows(client, keyspace, "trades", day);
  const quoteRows = expected.quotes > 0 ? await countRows(client, keyspace, "quotes", day) : 0;
  bar.done(`${seconds.toFixed(1)} s, ${tradeRows.toLocaleString("en-US")} trade rows`);
  if (tradeRows !== expected.trades || quoteRows !== expected.quotes) {
    throw new Error(`persisted ${tradeRows} trades / ${quoteRows} quotes, expected ${expected.trades} / ${expected.quotes}`);
  }
  const toFirstCommitS = ((firstCommitMs ?? startedMs) - startedMs) / 1000;
  return {
    workers: n,
    seconds,
    toFirstCommitS,
    tradesPerS: expected.trades / (seconds - toFirstCommitS),
    rssMiB: rss,
    tradeRows,
    quoteRows,
  };
}

/** One worker at a constant producer rate (ts = now) for FLAT_SECONDS: flat when the lag does not grow. */
async function lagIsFlat(
  rate: number,
  admin: Admin,
  attempt: number,
): Promise<{ rate: number; flat: boolean; lagStart: number; lagEnd: number; rssMiB: number }> {
  const keyspace = `${RUN}_f${attempt}`;
  const group = `${RUN}-f${attempt}`;
  await migrate(connect, keyspace, config.cassandra.replication);
  // Start at the end of the topics: the backlog of the earlier runs is not this test's.
  await admin.setOffsets({
    groupId: group,
    topic: topics.trades,
    partitions: (await admin.fetchTopicOffsets(topics.trades)).map((p) => ({ partition: p.partition, offset: p.high })),
  });
  await admin.setOffsets({
    groupId: group,
    topic: topics.quotes,
    partitions: (await admin.fetchTopicOffsets(topics.quotes)).map((p) => ({ partition: p.partition, offset: p.high })),
  });
  const worker = startWorker(keyspace, group);
  const bar = progress(`constant ${rate.toLocaleString("en-US")} trades/s`);
  try {
    // Let the worker join before the load starts.
    for (let i = 0; i < 120; i++) {
      const description = await admin.describeGroups([group]);
      if (description.groups[0]?.state === "Stable") break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const produced = runChild("bench/pipeline/produce.ts", [
      "--prefix",
      PREFIX,
      "--symbols",
      String(SYMBOLS),
      "--rate",
      String(rate),
      "--seconds",
      String(FLAT_SECONDS),
      "--quotes-per-trade",
      String(QUOTES_PER_TRADE),
    ]);
    const samples: number[] = [];
    const startedMs = Date.now();
    let finished = false;
    void produced.finally(() => (finished = true));
    while (!finished) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      samples.push(await groupLag(admin, group));
      bar.update(`${Math.round((Date.now() - startedMs) / 1000)} s, lag ${samples.at(-1)?.toLocaleString("en-US")}`);
    }
    const result = await produced;
    const rssMiB = peakRssMiB(worker.pid);
    // Ignore the first 15 s (JIT, first reads); flat = the lag at the end is within 2 s of load of the lag then.
    const lagStart = samples[Math.min(2, samples.length - 1)] ?? 0;
    const lagEnd = samples.at(-1) ?? 0;
    const ticksPerS = rate * (1 + QUOTES_PER_TRADE);
    const flat = lagEnd - lagStart < 2 * ticksPerS && lagEnd < 5 * ticksPerS && (result.trades ?? 0) >= rate * FLAT_SECONDS * 0.95;
    bar.done(
      `${flat ? "flat" : "growing"}: lag ${lagStart.toLocaleString("en-US")} → ${lagEnd.toLocaleString("en-US")}, produced ${(result.trades ?? 0).toLocaleString("en-US")} trades`,
    );
    return { rate, flat, lagStart, lagEnd, rssMiB };
  } finally {
    await stopWorkers([worker]);
  }
}

function connect(keyspace?: string): Promise<CassandraClient> {
  return connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    ...(keyspace ? { keyspace } : {}),
    log,
  });
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  await servicesUp(config);
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "bench-pipeline", log });
  const admin = kafka.admin();
  await admin.connect();
  const client = await connect();
  const keyspaces: string[] = [];
  try {
    await ensureTopics(admin, applicationTopics(PARTITIONS, config.kafka.replicationFactor, topics, config.kafka.minInsyncReplicas));
    console.log(
      `bench:pipeline — ${fmt(TRADES)} trades of ${SYMBOLS} symbols, ${QUOTES_PER_TRADE} quotes per trade, ${PARTITIONS} partitions, run ${RUN}`,
    );
    // The configured replication: on the local cluster (LOCAL_STACK=cluster) topics at 3 with 2 in sync, keyspaces at 3.
    console.log(
      `stack: ${config.localStack.name}; ${config.kafka.brokers.length} broker(s), topics at replication ${config.kafka.replicationFactor}${config.kafka.minInsyncReplicas === undefined ? "" : `, ${config.kafka.minInsyncReplicas} in sync`}; keyspaces ${JSON.stringify(config.cassandra.replication)}, ${config.cassandra.consistency}`,
    );

    let bar = progress("produce");
    bar.update("producing");
    const produced = await runChild("bench/pipeline/produce.ts", [
      "--prefix",
      PREFIX,
      "--trades",
      String(TRADES),
      "--symbols",
      String(SYMBOLS),
      "--quotes-per-trade",
      String(QUOTES_PER_TRADE),
    ]);
    const expected = { trades: produced.trades ?? 0, quotes: produced.quotes ?? 0 };
    if (expected.trades !== TRADES) throw new Error(`produced ${expected.trades} trades, expected ${TRADES}`);
    bar.done(`${fmt(expected.trades)} trades + ${fmt(expected.quotes)} quotes in ${(produced.seconds ?? 0).toFixed(1)} s`);

    bar = progress("bare kafkajs consumer");
    bar.update("reading");
    const bare = await runChild("bench/pipeline/bare-consumer.ts", [
      "--prefix",
      PREFIX,
      "--group",
      `${RUN}-bare`,
      "--expect",
      String(expected.trades + expected.quotes),
    ]);
    const bareRate = (bare.messages ?? 0) / (bare.seconds ?? 1);
    if (bare.messages !== expected.trades + expected.quotes) throw new Error(`bare consumer read ${bare.messages} messages`);
    bar.done(`${fmt(bareRate)} msgs/s`);

    const ceilingKs = `${RUN}_c`;
    keyspaces.push(ceilingKs);
    await migrate(connect, ceilingKs, config.cassandra.replication);
    bar = progress("Cassandra ceiling");
    bar.update("inserting");
    const ceilingRows = 200_000;
    const ceiling = await runChild("bench/pipeline/cassandra-ceiling.ts", [
      "--keyspace",
      ceilingKs,
      "--rows",
      String(ceilingRows),
      "--symbols",
      String(SYMBOLS),
    ]);
    const perRowRate = ceilingRows / (ceiling.perRowSeconds ?? 1);
    const batchedRate = ceilingRows / (ceiling.batchedSeconds ?? 1);
    bar.done(`per-row ${fmt(perRowRate)} rows/s, batched ${fmt(batchedRate)} rows/s`);

    keyspaces.push(`${RUN}_w1`);
    const one = await measureWorkers(1, admin, client, expected);
    let two: WorkerRun | undefined;
    if (!values["skip-two"]) {
      keyspaces.push(`${RUN}_w2`);
      two = await measureWorkers(2, admin, client, expected);
    }

    const flatRuns: Awaited<ReturnType<typeof lagIsFlat>>[] = [];
    if (!values["skip-flat"]) {
      // Start below the catch-up rate, then step up while flat (down once if not).
      let rate = Math.max(1_000, Math.round((one.tradesPerS * 0.7) / 1_000) * 1_000);
      for (let attempt = 0; attempt < 3; attempt++) {
        keyspaces.push(`${RUN}_f${attempt}`);
        const r = await lagIsFlat(rate, admin, attempt);
        flatRuns.push(r);
        if (r.flat) rate = Math.round((rate * 1.25) / 1_000) * 1_000;
        else if (flatRuns.some((f) => f.flat)) break;
        else rate = Math.max(1_000, Math.round((rate * 0.6) / 1_000) * 1_000);
      }
    }

    const rowsPerS = (run: WorkerRun) => (run.tradeRows + run.quoteRows) / (run.seconds - run.toFirstCommitS);
    console.log("\nreader / writer                                   | rate");
    console.log(`bare kafkajs consumer (eachBatch + JSON.parse)     | ${fmt(bareRate)} msgs/s`);
    console.log(`Cassandra trades, one prepared INSERT per row      | ${fmt(perRowRate)} rows/s`);
    console.log(`Cassandra trades, UNLOGGED batches of 100 (ceiling)| ${fmt(batchedRate)} rows/s`);
    for (const run of [one, two].filter((r): r is WorkerRun => r !== undefined)) {
      console.log(
        `stream worker ×${run.workers}, to all offsets committed      | ${fmt(run.tradesPerS)} trades/s (${fmt(rowsPerS(run))} raw rows/s; ${run.seconds.toFixed(1)} s, of which ${run.toFirstCommitS.toFixed(1)} s to the first commit); peak RSS ${run.rssMiB.map((r) => `${fmt(r)} MiB`).join(", ")}`,
      );
    }
    for (const f of flatRuns)
      console.log(
        `constant ${fmt(f.rate)} trades/s for ${FLAT_SECONDS} s (1 worker)       | lag ${f.flat ? "flat" : "grows"}: ${fmt(f.lagStart)} → ${fmt(f.lagEnd)}; peak RSS ${fmt(f.rssMiB)} MiB`,
      );
    const bestFlat = Math.max(0, ...flatRuns.filter((f) => f.flat).map((f) => f.rate));
    console.log("\nratios");
    console.log(`worker ×1 / bare consumer: ${(((one.tradesPerS * (1 + QUOTES_PER_TRADE)) / bareRate) * 100).toFixed(1)} % (ticks)`);
    console.log(`worker ×1 raw rows/s / batched-insert ceiling: ${((rowsPerS(one) / batchedRate) * 100).toFixed(1)} %`);
    if (two) console.log(`worker ×2 / worker ×1: ${(two.tradesPerS / one.tradesPerS).toFixed(2)}×`);
    if (flatRuns.length > 0)
      console.log(`highest constant rate with flat lag: ${bestFlat > 0 ? `${fmt(bestFlat)} trades/s` : "none of those tried"}`);
  } finally {
    await admin
      .deleteTopics({ topics: Object.values(topics) })
      .catch((error: unknown) => log.warn({ err: error }, "deleting bench topics"));
    await admin.disconnect();
    for (const ks of keyspaces)
      await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch((error: unknown) => log.warn({ err: error }, "dropping bench keyspace"));
    await client.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:pipeline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
