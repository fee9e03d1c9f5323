// npm start — the whole system on one machine: the local servers (started if needed), schema,
// topics, the real daily bars, a production build of the web app when its sources changed, then
// the web server, the workers, the simulator and (once) the replay of a real day under one supervisor. Ctrl-C stops the app processes; the servers keep running
// (`npm run services:down` stops them).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AppConfig } from "../adapters/config";
import { marketDataFile } from "../adapters/market-data";
import { migrateConfigured } from "../db/migrate";
import { createApplicationTopics } from "./create-topics";
import { errorMessage } from "./progress";
import { prepareLocalStack, servicesUp } from "./services";
import { STREAM_WORKER_NODE_ARGS, Supervisor, tsProgram, type ProgramSpec } from "./supervisor";
import { checkpointPath, readCheckpoint } from "../workers/feeds/replay-files";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const WEB_SOURCES = ["app", "server", "adapters", "core", "public", "next.config.ts", "package-lock.json"];
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

function newestMtimeMs(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, child) => Math.max(newest, newestMtimeMs(path.join(entry, child))), stat.mtimeMs);
}

/** Builds the web app unless .next holds a build newer than every source it is made of. */
export function buildWebIfStale(): void {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  const sourcesAt = Math.max(...WEB_SOURCES.map((entry) => newestMtimeMs(path.join(ROOT, entry))));
  if (builtAt > sourcesAt) {
    console.log("web: build is up to date");
    return;
  }
  console.log("web: building (next build)…");
  const result = spawnSync(bin("next"), ["build"], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}

/** The real trading day `npm start` replays on a fresh stack: IBM 2013-10-07, every trade and quote tick. */
export function sampleDayFiles(marketDataDir: string): string[] {
  return ["20131007_ibm_Trade_Tick.csv", "20131007_ibm_Quote_Tick.csv"].map((f) => marketDataFile(marketDataDir, `lean_equity_tick/${f}`));
}

/**
 * The app's processes: the web server, one stream worker (run more for scale-out), the batch
 * worker, the simulated feed and, until it has finished once, the replay of the real sample day
 * (resumable from its checkpoint, so a restart sends no tick twice).
 */
export function appPrograms(config: AppConfig): ProgramSpec[] {
  const programs = [
    // Next behind our own node:http front (infra/web-server.ts); production mode, as `next start` would default it.
    tsProgram("web", path.join(ROOT, "infra/web-server.ts"), ["--port", String(config.webPort), "--hostname", "127.0.0.1"], {
      env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? "production" }, // eslint-disable-line no-restricted-syntax -- the child inherits the environment
    }),
    tsProgram("stream", path.join(ROOT, "workers/stream/main.ts"), [], { nodeArgs: STREAM_WORKER_NODE_ARGS }),
    tsProgram("batch", path.join(ROOT, "workers/batch/main.ts")),
    tsProgram("simulator", path.join(ROOT, "workers/feeds/simulate.ts"), ["--rate", "100"]),
  ];
  const replay = sampleDayFiles(config.marketDataDir);
  if (readCheckpoint(checkpointPath(config.dataDir, replay))?.done) {
    console.log("sample day: IBM 2013-10-07 already replayed");
  } else {
    programs.push(tsProgram("replay", path.join(ROOT, "workers/feeds/replay.ts"), replay, { restart: "on-failure" }));
  }
  return programs;
}

async function main(): Promise<void> {
  // A secure local stack's first start generates its secrets, which the config reads.
  const config = await prepareLocalStack();
  const startedAt = Date.now();
  await servicesUp(config);
  const migration = await migrateConfigured(config);
  console.log(`schema: ${migration.applied.length} migration(s) applied, ${migration.skipped.length} already applied`);
  const created = await createApplicationTopics(config);
  console.log(`topics: ${created.length ? `created ${created.join(", ")}` : "all exist"}`);
  // Daily history for volatility training: ~7 s the first time, a few reads after (idempotent).
  const loaded = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "infra/load-daily.ts")], { cwd: ROOT, stdio: "inherit" });
  if (loaded.status !== 0) console.warn(`daily history: load failed (exit ${loaded.status}); volatility models train once it is loaded`);
  buildWebIfStale();

  const supervisor = new Supervisor(appPrograms(config));
  supervisor.start();
  console.log(
    `tickstream is starting at http://localhost:${config.webPort} (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s); Ctrl-C stops it`,
  );
  const shutdown = (signal: string) => {
    console.log(`\n${signal}: stopping the app processes (servers keep running; npm run services:down stops them)`);
    void supervisor.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  });
}
