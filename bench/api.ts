// npm run bench:api — latency of the read API under 50 concurrent callers, over HTTP against a
// production build on the real Cassandra, in a keyspace of its own: candles.range for one day of
// 1m candles, and market.overview with 20 and with 200 symbols, as REST (answered by the web
// server's fast path, infra/web-server.ts), plus a revalidation (If-None-Match → 304), and the same
// reads over tRPC (the web server's fast tRPC path): one call, a batch of one (what the browser's
// batch link sends), the overview, and the symbol page's first batch of 5 calls. Each line also gives the CPU time per request of the
// server (its process tree, from /proc) and of the load generator, which share the machine.
// `--server next` runs plain `next start` instead, for comparison; `--seconds N` sets each run's length.
// First, in process: the cost of one 200-symbol overview build with and without the sparkline snapshot.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { connectCassandra } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { migrate } from "../db/migrations";
import { buildWebIfStale } from "../infra/start";
import { servicesUp } from "../infra/services";
import { progress, waitFor } from "../infra/progress";
import { createQueryStores, type QueryContext } from "../server/context";
import { createSseHub } from "../server/live/sse-hub";
import { getMarketOverview } from "../server/queries/get-market-overview";
import { createLiveSparklines } from "../server/queries/live-sparkline-snapshot";
import { seedDay } from "../test/market-fixtures";
import { runLoad, type LoadResult } from "./http-load";

const KEYSPACE = "bench_api";
const PORT = 3100;
const CONCURRENCY = 50;
const DAY = "2013-10-07";
const OVERVIEW_SYMBOLS = 200;
// What browsers send; the load generator does not decompress (see http-load.ts).
const BROWSER_ACCEPT_ENCODING = "gzip, deflate, br";
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

async function seed(): Promise<void> {
  const config = getConfig();
  const log = createLogger("bench-api");
  const connect = (keyspace?: string) =>
    connectCassandra({
      contactPoints: config.cassandra.contactPoints,
      localDataCenter: config.cassandra.localDataCenter,
      ...(keyspace ? { keyspace } : {}),
      log,
    });
  await migrate(connect, KEYSPACE, { class: "SimpleStrategy", replication_factor: 1 });
  const client = await connect();
  const bar = progress("bench:api seed");
  try {
    const last = `BA${String(OVERVIEW_SYMBOLS - 1).padStart(3, "0")}`;
    const seeded = await client.execute(`SELECT symbol FROM ${KEYSPACE}.symbols WHERE symbol IN ?`, [["BENCHDAY", last]], {
      prepare: true,
    });
    // Seeding is idempotent but takes a while: the last symbol written means a complete earlier run.
    if (seeded.rowLength === 2) {
      bar.done(`keyspace ${KEYSPACE} already seeded`);
      return;
    }
    // One full 24 h day of 1m candles for the range query.
    await seedDay(client, KEYSPACE, {
      symbol: "BENCHDAY",
      day: DAY,
      startPrice: 181.5,
      sessionStartMinute: 0,
      sessionMinutes: 1440,
      tradeEveryMs: 20_000,
    });
    for (let i = 0; i < OVERVIEW_SYMBOLS; i++) {
      const symbol = `BA${String(i).padStart(3, "0")}`;
      await seedDay(client, KEYSPACE, {
        symbol,
        day: DAY,
        startPrice: 20 + i,
        sessionMinutes: 120,
        tradeEveryMs: 60_000,
        prevClose: 20 + i,
        seed: i,
      });
      bar.update(`${i + 1}/${OVERVIEW_SYMBOLS} overview symbols`);
    }
    bar.done(`1 day of 1m candles + ${OVERVIEW_SYMBOLS} symbols in keyspace ${KEYSPACE}`);
  } finally {
    await client.shutdown();
  }
}

/** Build times of the 200-symbol overview (no shared read, no HTTP): sparklines read from Cassandra, then from the snapshot. */
async function timeOverviewBuilds(): Promise<string> {
  const config = getConfig();
  const log = createLogger("bench-api");
  const client = await connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    log,
  });
  const hub = createSseHub({
    redisUrl: config.redis.url,
    heartbeatMs: 15_000,
    clientBufferBytes: 65_536,
    conflationMaxKeys: 100,
    maxClients: 1,
    log,
  });
  const stores = createQueryStores(client, KEYSPACE);
  const sparklines = createLiveSparklines({ candles: stores.market, tap: (listener) => hub.tap(listener), nowMs: Date.now, log });
  const direct: QueryContext = { ...stores, nowMs: Date.now };
  const snapshot: QueryContext = { ...direct, sparklines };
  const build = async (ctx: QueryContext): Promise<number> => {
    const startMs = performance.now();
    await getMarketOverview(ctx, { limit: OVERVIEW_SYMBOLS });
    return performance.now() - startMs;
  };
  const builds = async (ctx: QueryContext, n: number): Promise<string> => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) ms.push(await build(ctx));
    ms.sort((a, b) => a - b);
    return `median ${ms[n >> 1]?.toFixed(1)} ms (${ms[0]?.toFixed(1)}–${ms[n - 1]?.toFixed(1)})`;
  };
  try {
    const fromCassandra = await builds(direct, 10);
    await build(snapshot); // starts the feed
    await waitFor(() => (sparklines.stats().live ? Promise.resolve() : Promise.reject(new Error("feed not live"))), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const firstMs = await build(snapshot);
    return (
      `market.overview build, ${OVERVIEW_SYMBOLS} symbols, in process: sparklines from Cassandra ${fromCassandra}; ` +
      `from the snapshot ${await builds(snapshot, 20)} (first build, loading every symbol: ${firstMs.toFixed(1)} ms)`
    );
  } finally {
    sparklines.close();
    await hub.close();
    await client.shutdown();
  }
}

const CLOCK_TICKS_PER_S = 100;

/** CPU time (user + system, ms) of `rootPid` and all its descendants, from /proc (Linux). */
function treeCpuMs(rootPid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesized command name: state ppid … utime(14) stime(15).
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process exited while we listed it.
    }
  }
  let ticks = 0;
  for (const [pid, stat] of stats) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (p === rootPid) {
        ticks += stat.ticks;
        break;
      }
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

interface Measured {
  result: LoadResult;
  serverCpuMs: number;
  clientCpuMs: number;
}

async function measure(pid: number, url: string, durationMs: number, headers: Record<string, string>): Promise<Measured> {
  const serverBefore = treeCpuMs(pid);
  const clientBefore = process.cpuUsage();
  const result = await runLoad(url, { concurrency: CONCURRENCY, durationMs, headers });
  const client = process.cpuUsage(clientBefore);
  return { result, serverCpuMs: treeCpuMs(pid) - serverBefore, clientCpuMs: (client.user + client.system) / 1000 };
}

function format(name: string, { result, serverCpuMs, clientCpuMs }: Measured): string {
  const rate = (result.requests / result.durationMs) * 1000;
  const perRequest = (ms: number) => `${((ms * 1000) / Math.max(1, result.requests)).toFixed(0)} µs`;
  const statuses = Object.entries(result.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(" ");
  return (
    `${name.padEnd(34)} ${String(result.requests).padStart(7)} req ${rate.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(1).padStart(6)} ms  ` +
    `p90 ${result.p90.toFixed(1).padStart(6)} ms  p99 ${result.p99.toFixed(1).padStart(6)} ms  max ${result.max.toFixed(1).padStart(6)} ms  ` +
    `errors ${result.errors}  ${(result.meanBodyBytes / 1024).toFixed(1)} KiB/body  [${statuses}]  ` +
    `CPU/request: server ${perRequest(serverCpuMs)}, load generator ${perRequest(clientCpuMs)}`
  );
}

interface Scenario {
  name: string;
  url: string;
  headers: Record<string, string>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { server: { type: "string", default: "web" }, seconds: { type: "string", default: "10" } } });
  const durationMs = Number(values.seconds) * 1000;
  if (values.server !== "web" && values.server !== "next") throw new Error("--server: web or next");
  if (!(durationMs > 0)) throw new Error("--seconds: a positive number");
  await servicesUp();
  await seed();
  console.log(await timeOverviewBuilds());
  buildWebIfStale();
  const args = ["--port", String(PORT), "--hostname", "127.0.0.1"];
  const [command, commandArgs] =
    values.server === "web"
      ? [path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "infra/web-server.ts"), ...args]]
      : [path.join(ROOT, "node_modules/.bin/next"), ["start", ...args]];
  const server = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", CASSANDRA_KEYSPACE: KEYSPACE, LOG_LEVEL: "warn" }, // eslint-disable-line no-restricted-syntax -- the child inherits the parent's environment, with its own keyspace
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitFor(
      async () => {
        const response = await fetch(`${base}/api/v1/symbols/BENCHDAY`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const from = Date.parse(`${DAY}T00:00:00Z`);
    const to = from + 86_400_000 - 1;
    const candlesInput = { symbol: "BENCHDAY", interval: "1m", from, to, limit: 1440 };
    const candlesUrl = `${base}/api/v1/symbols/BENCHDAY/candles?interval=1m&from=${from}&to=${to}&limit=1440`;
    const trpc = (procedure: string, input: unknown) => `${base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
    const trpcBatch = (calls: Array<[string, unknown]>) =>
      `${base}/api/trpc/${calls.map(([procedure]) => procedure).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(calls.map(([, input], i) => [i, input]))))}`;
    const accept = { "accept-encoding": BROWSER_ACCEPT_ENCODING };
    const probe = await fetch(candlesUrl);
    const etag = probe.headers.get("etag");
    await probe.arrayBuffer();
    const scenarios: Scenario[] = [
      { name: "candles.range 1m × 1 day", url: candlesUrl, headers: accept },
      { name: "market.overview 20 symbols", url: `${base}/api/v1/market/overview?limit=20`, headers: accept },
      { name: "market.overview 200 symbols", url: `${base}/api/v1/market/overview?limit=200`, headers: accept },
      ...(etag ? [{ name: "candles.range, If-None-Match (304)", url: candlesUrl, headers: { ...accept, "if-none-match": etag } }] : []),
      // The same reads over tRPC, answered by the web server's fast path (server/http/fast-trpc.ts).
      { name: "tRPC candles.range", url: trpc("candles.range", candlesInput), headers: accept },
      { name: "tRPC candles.range, batch link", url: trpcBatch([["candles.range", candlesInput]]), headers: accept },
      { name: "tRPC market.overview 200 symbols", url: trpc("market.overview", { limit: 200 }), headers: accept },
      // What the symbol page's first batch asks for (symbol-view.tsx).
      {
        name: "tRPC symbol page batch (5 calls)",
        url: trpcBatch([
          ["candles.range", candlesInput],
          ["quotes.latest", { symbol: "BENCHDAY" }],
          ["forecasts.volatility", { symbol: "BENCHDAY", day: DAY }],
          ["trades.recent", { symbol: "BENCHDAY", limit: 40, before: to + 1 }],
          ["alerts.recent", { symbol: "BENCHDAY", day: DAY }],
        ]),
        headers: accept,
      },
    ];
    console.log(
      `\n${CONCURRENCY} concurrent callers, ${durationMs / 1000} s each, after a 2 s warm-up, ${values.server === "web" ? "infra/web-server.ts" : "next start"} on ${base}`,
    );
    for (const { name, url, headers } of scenarios) {
      // The JSON itself, decompressed by fetch: what a caller gets.
      const response = await fetch(url);
      type Data = { candles?: unknown[]; rows?: unknown[] };
      type Enveloped = { result?: { data?: Data } };
      const body = (await response.json()) as (Data & Enveloped) | Enveloped[];
      if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
      const data = Array.isArray(body) ? body[0]?.result?.data : (body.result?.data ?? body);
      const count = data?.candles?.length ?? data?.rows?.length;
      await runLoad(url, { concurrency: CONCURRENCY, durationMs: 2_000, headers });
      console.log(`${format(name, await measure(server.pid ?? 0, url, durationMs, headers))}  (${count} items/response)`);
    }
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
