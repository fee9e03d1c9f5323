// The stream worker as a benchmark's subject: its own process on a run's topic prefix, keyspace,
// consumer group and Redis database, stopped with a grace period, and the group lag that says it
// has caught up. Shared by bench:pipeline and bench:peer.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Admin } from "kafkajs";
import { STREAM_WORKER_NODE_ARGS } from "../../infra/supervisor";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export type StreamWorkerOptions = {
  prefix: string;
  keyspace: string;
  group: string;
  redisUrl: string;
  /** Node options, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** More environment (settings of the worker under test). */
  env?: Record<string, string>;
};

/** Starts workers/stream/main.ts as a production process isolated by the given names. */
export function startStreamWorker({ prefix, keyspace, group, redisUrl, nodeArgs = [], env = {} }: StreamWorkerOptions): ChildProcess {
  return spawn(process.execPath, [...STREAM_WORKER_NODE_ARGS, ...nodeArgs, "--import", "tsx", path.join(ROOT, "workers/stream/main.ts")], {
    cwd: ROOT,
    env: {
      // eslint-disable-next-line no-restricted-syntax -- the child inherits the environment
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      KAFKA_TOPIC_PREFIX: prefix,
      CASSANDRA_KEYSPACE: keyspace,
      STREAM_GROUP_ID: group,
      REDIS_URL: redisUrl,
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** SIGTERM to each worker, SIGKILL after 15 s; resolves when all have exited. */
export async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null || w.signalCode !== null) return resolve();
          const timer = setTimeout(() => w.kill("SIGKILL"), 15_000);
          w.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          w.kill("SIGTERM");
        }),
    ),
  );
}

/** Sum over `topics` of end offset − the group's committed offset (the low offset where none is). */
export async function groupLag(admin: Admin, group: string, topics: readonly string[]): Promise<number> {
  let lag = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    for (const end of ends) {
      const c = committed?.partitions.find((p) => p.partition === end.partition);
      const at = c === undefined || Number(c.offset) < 0 ? Number(end.low) : Number(c.offset);
      lag += Number(end.high) - at;
    }
  }
  return lag;
}
