// The whole live path for the live benchmarks, isolated from the dashboard on the same servers:
// the production web server (infra/web-server.ts) and one stream worker, on a port, Kafka topic
// prefix, consumer group, Cassandra keyspace and Redis database of their own. Removed at the end:
// the processes, the topics, the keyspace and the Redis keys.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { connectCassandra } from "../../adapters/cassandra";
import { getConfig } from "../../adapters/config";
import { applicationTopics, createKafka, ensureTopics, topicNames, type TopicNames } from "../../adapters/kafka";
import { LIVE_STREAM_KEY } from "../../adapters/live-channel";
import { createLogger } from "../../adapters/logger";
import { createRedis } from "../../adapters/redis";
import { migrate } from "../../db/migrations";
import { progress } from "../../infra/progress";
import { servicesUp } from "../../infra/services";
import { buildWebIfStale } from "../../infra/start";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
// bench:pipeline uses database 14.
const REDIS_DB = 13;

export interface LiveApp {
  port: number;
  baseUrl: string;
  topics: TopicNames;
  redisUrl: string;
  webPid: number;
  workerPid: number;
  /** Which stream worker runs: a short commit id, or "working tree". */
  workerRev: string;
  /** Where the web server's and the stream worker's output goes. */
  logDir: string;
  stop(): Promise<void>;
}

export interface LiveAppOptions {
  port: number;
  /** Extra environment of the web server (SSE caps and the like). */
  webEnv?: Record<string, string>;
  /**
   * Run the stream worker of this git revision (e.g. HEAD) instead of the working tree's, when the
   * working tree's is in the middle of a change; the figures then name the revision.
   */
  workerRev?: string;
  /** Node options of the web server, e.g. `--cpu-prof` to see where its time goes. */
  webNodeArgs?: string[];
}

/** A clean copy of `rev`'s tree (with the repository's node_modules) to run a program from. */
function exportRevision(rev: string, logDir: string): { dir: string; sha: string } {
  const sha = execFileSync("git", ["rev-parse", "--short", rev], { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = path.join(logDir, `rev-${sha}`);
  if (!fs.existsSync(path.join(dir, "package.json"))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${sha} | tar -x -C "${dir}"`], { cwd: ROOT });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  }
  return { dir, sha };
}

function startProgram(
  name: string,
  file: string,
  args: string[],
  env: Record<string, string>,
  logDir: string,
  root = ROOT,
  nodeArgs: string[] = [],
): ChildProcess {
  const out = fs.openSync(path.join(logDir, `${name}.log`), "w");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(root, file), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env }, // eslint-disable-line no-restricted-syntax -- the child inherits the environment
    stdio: ["ignore", out, out],
    detached: true, // its own process group, stopped as a whole
  });
  fs.closeSync(out);
  return child;
}

async function stopProgram(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // Gone already.
    }
  };
  const timer = setTimeout(() => kill("SIGKILL"), graceMs);
  kill("SIGTERM");
  await exited;
  clearTimeout(timer);
}

async function waitForHttp(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the web server exited:\n${fs.readFileSync(logFile, "utf8").slice(-3_000)}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function startLiveApp({ port, webEnv = {}, workerRev, webNodeArgs = [] }: LiveAppOptions): Promise<LiveApp> {
  const config = getConfig();
  const log = createLogger("bench-live");
  const run = `bl${Date.now().toString(36)}`;
  const prefix = `${run}.`;
  const keyspace = `bench_live_${run}`;
  const topics = topicNames(prefix);
  const redisUrl = (() => {
    const url = new URL(config.redis.url);
    url.pathname = `/${REDIS_DB}`;
    return url.toString();
  })();
  const logDir = path.join(config.dataDir, "bench-live");
  fs.mkdirSync(logDir, { recursive: true });

  await servicesUp(config);
  const bar = progress("bench live app");
  const connect = (ks?: string) =>
    connectCassandra({
      contactPoints: config.cassandra.contactPoints,
      localDataCenter: config.cassandra.localDataCenter,
      ...(ks ? { keyspace: ks } : {}),
      log,
    });
  bar.update(`keyspace ${keyspace}`);
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "bench-live-admin", log });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, applicationTopics(config.kafka.partitions, 1, topics));
  bar.update("web build");
  buildWebIfStale();

  const env = {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    PORT: String(port),
    TICKSTREAM_DATA_DIR: logDir,
    KAFKA_TOPIC_PREFIX: prefix,
    STREAM_GROUP_ID: `${run}-stream`,
    CASSANDRA_KEYSPACE: keyspace,
    REDIS_URL: redisUrl,
  };
  const web = startProgram(
    "web",
    "infra/web-server.ts",
    ["--port", String(port), "--hostname", "127.0.0.1"],
    { ...env, ...webEnv },
    logDir,
    ROOT,
    webNodeArgs,
  );
  const workerTree = workerRev === undefined ? undefined : exportRevision(workerRev, logDir);
  const worker = startProgram("stream", "workers/stream/main.ts", [], env, logDir, workerTree?.dir);
  const baseUrl = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all([stopProgram(web), stopProgram(worker)]);
      // Every cleanup step runs even if one fails.
      const results = await Promise.allSettled([
        admin.deleteTopics({ topics: Object.values(topics) }).finally(() => admin.disconnect()),
        (async () => {
          const client = await connect();
          try {
            await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
          } finally {
            await client.shutdown();
          }
        })(),
        (async () => {
          const redis = createRedis(redisUrl, "client", log);
          try {
            const keys = await redis.keys("tickstream:*");
            await redis.del(LIVE_STREAM_KEY, ...keys);
          } finally {
            await redis.quit();
          }
        })(),
      ]);
      for (const result of results)
        if (result.status === "rejected") log.warn({ err: result.reason as unknown }, "bench cleanup step failed");
    })());
  bar.update("web server");
  try {
    await waitForHttp(`${baseUrl}/api/health`, web, path.join(logDir, "web.log"), 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  bar.done(
    `web :${port} and a stream worker${workerTree ? ` of ${workerTree.sha}` : ""} on topics ${prefix}*, keyspace ${keyspace}, Redis db ${REDIS_DB}`,
  );
  return {
    port,
    baseUrl,
    topics,
    redisUrl,
    webPid: web.pid ?? -1,
    workerPid: worker.pid ?? -1,
    logDir,
    workerRev: workerTree?.sha ?? "working tree",
    stop,
  };
}
