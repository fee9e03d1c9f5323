// npm run bench:api — latency of the read API under 50 concurrent callers, over HTTP against a
// production build (`next start`) on the real Cassandra, in a keyspace of its own:
// candles.range for one day of 1m candles, and market.overview with 20 and with 200 symbols.
import { spawn } from "node:child_process";
import path from "node:path";
import { connectCassandra } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { migrate } from "../db/migrations";
import { buildWebIfStale } from "../infra/start";
import { servicesUp } from "../infra/services";
import { progress, waitFor } from "../infra/progress";
import { seedDay } from "../test/market-fixtures";
import { runLoad, type LoadResult } from "./http-load";

const KEYSPACE = "bench_api";
const PORT = 3100;
const CONCURRENCY = 50;
const DURATION_MS = 10_000;
const DAY = "2013-10-07";
const OVERVIEW_SYMBOLS = 200;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

async function seed(): Promise<void> {
  const config = getConfig();
  const log = createLogger("bench-api");
  const connect = (keyspace?: string) =>
    connectCassandra({ contactPoints: config.cassandra.contactPoints, localDataCenter: config.cassandra.localDataCenter, ...(keyspace ? { keyspace } : {}), log });
  await migrate(connect, KEYSPACE, { class: "SimpleStrategy", replication_factor: 1 });
  const client = await connect();
  const bar = progress("bench:api seed");
  try {
    // One full 24 h day of 1m candles for the range query.
    await seedDay(client, KEYSPACE, { symbol: "BENCHDAY", day: DAY, startPrice: 181.5, sessionStartMinute: 0, sessionMinutes: 1440, tradeEveryMs: 20_000 });
    for (let i = 0; i < OVERVIEW_SYMBOLS; i++) {
      const symbol = `BA${String(i).padStart(3, "0")}`;
      await seedDay(client, KEYSPACE, { symbol, day: DAY, startPrice: 20 + i, sessionMinutes: 120, tradeEveryMs: 60_000, prevClose: 20 + i, seed: i });
      bar.update(`${i + 1}/${OVERVIEW_SYMBOLS} overview symbols`);
    }
    bar.done(`1 day of 1m candles + ${OVERVIEW_SYMBOLS} symbols in keyspace ${KEYSPACE}`);
  } finally {
    await client.shutdown();
  }
}

function format(name: string, result: LoadResult): string {
  const rate = (result.requests / result.durationMs) * 1000;
  return `${name.padEnd(28)} ${String(result.requests).padStart(7)} req ${rate.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(1).padStart(6)} ms  p90 ${result.p90.toFixed(1).padStart(6)} ms  p99 ${result.p99.toFixed(1).padStart(6)} ms  max ${result.max.toFixed(1).padStart(6)} ms  errors ${result.errors}`;
}

async function main(): Promise<void> {
  await servicesUp();
  await seed();
  buildWebIfStale();
  const server = spawn(path.join(ROOT, "node_modules/.bin/next"), ["start", "--port", String(PORT), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    env: { ...process.env, CASSANDRA_KEYSPACE: KEYSPACE, LOG_LEVEL: "warn" }, // eslint-disable-line no-restricted-syntax -- the child inherits the parent's environment, with its own keyspace
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitFor(async () => {
      const response = await fetch(`${base}/api/v1/symbols/BENCHDAY`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const from = Date.parse(`${DAY}T00:00:00Z`);
    const to = from + 86_400_000 - 1;
    const scenarios: Array<[string, string]> = [
      ["candles.range 1m × 1 day", `${base}/api/v1/symbols/BENCHDAY/candles?interval=1m&from=${from}&to=${to}&limit=1440`],
      ["market.overview 20 symbols", `${base}/api/v1/market/overview?limit=20`],
      ["market.overview 200 symbols", `${base}/api/v1/market/overview?limit=200`],
    ];
    console.log(`\n${CONCURRENCY} concurrent callers, ${DURATION_MS / 1000} s each, after a 2 s warm-up, next start on ${base}`);
    for (const [name, url] of scenarios) {
      const probe = await fetch(url);
      const body = (await probe.json()) as { candles?: unknown[]; rows?: unknown[] };
      const count = body.candles?.length ?? body.rows?.length;
      await runLoad(url, { concurrency: CONCURRENCY, durationMs: 2_000 });
      console.log(`${format(name, await runLoad(url, { concurrency: CONCURRENCY, durationMs: DURATION_MS }))}  (${count} items/response)`);
    }
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
