import { spawn, type ChildProcess } from "node:child_process";
import type { Admin, Producer } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "../../adapters/config";
import { connectProducer } from "../../adapters/kafka";
import { eventually } from "../../test/helpers";
import { replayFiles } from "../feeds/replay-files";
import {
  compareCandles,
  compareIndicators,
  createFixture,
  IBM_DAY_UTC_MS,
  IBM_TRADES,
  IBM_UTC_OFFSET_HOURS,
  referenceCandles,
  referenceIndicators,
  storedIbmCandles,
  type Fixture,
} from "./pipeline-fixture";

type Worker = { child: ChildProcess; name: string; lines: string[]; exited: Promise<number | null> };

// The workers' live updates and metrics snapshots go to Redis database 15, not to the live stream a
// running dashboard reads (database 0): this test checks candles, not the live channel.
const testRedisUrl = (() => {
  const url = new URL(getConfig().redis.url);
  url.pathname = "/15";
  return url.toString();
})();
const children = new Set<Worker>();

/** Starts `workers/stream/main.ts` as a separate process (one node process, so SIGKILL hits it). */
function startWorker(fx: Fixture, groupId: string, name: string): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/stream/main.ts"], {
    cwd: process.cwd(),
    env: {
      // eslint-disable-next-line no-restricted-syntax -- hands the environment on to the child; reads no setting
      ...process.env,
      KAFKA_TOPIC_PREFIX: fx.prefix,
      KAFKA_TOPIC_PARTITIONS: "3",
      CASSANDRA_KEYSPACE: fx.keyspace,
      STREAM_GROUP_ID: groupId,
      STREAM_IDLE_CLOSE_MS: "1500",
      STREAM_SESSION_TIMEOUT_MS: "6000",
      STREAM_RETRY_MAX_BACKOFF_MS: "2000",
      STREAM_MAX_BATCH_BYTES: "32768",
      REDIS_URL: testRedisUrl,
      LIVE_STREAM_MAXLEN: "1000",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 2_000) lines.splice(0, lines.length - 2_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const worker: Worker = {
    child,
    name,
    lines,
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  children.add(worker);
  void worker.exited.then(() => children.delete(worker));
  return worker;
}

async function kill9(worker: Worker): Promise<void> {
  worker.child.kill("SIGKILL");
  await worker.exited;
}

/** Sum of the group's committed offsets on the trades topic (= trades processed and committed). */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** The trades partition that worker's latest "group joined" log line assigns to it, if any. */
function assignedTrades(worker: Worker, topic: string): number[] {
  for (let i = worker.lines.length - 1; i >= 0; i--) {
    const line = worker.lines[i] ?? "";
    if (!line.includes('"group joined"')) continue;
    const parsed = JSON.parse(line) as { assignment?: Record<string, number[]> };
    return parsed.assignment?.[topic] ?? [];
  }
  return [];
}

describe("stream worker killed with SIGKILL at random moments", () => {
  let fx: Fixture;
  let producer: Producer;
  let admin: Admin;
  const ref1m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
  const ref5m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 300_000);
  const total = [...ref1m.values()].reduce((n, c) => n + c.count, 0);
  const totalVolume = [...ref1m.values()].reduce((v, c) => v + c.volume, 0);

  // Each test gets its own keyspace and topics, with the whole file in Kafka before any worker
  // starts, so the kills land while a worker works through a backlog.
  async function freshPipeline(): Promise<void> {
    if (fx) {
      await admin.disconnect();
      await producer.disconnect();
      await fx.close();
    }
    fx = await createFixture(3);
    producer = await connectProducer(fx.kafka);
    admin = fx.kafka.admin();
    await admin.connect();
    const replay = await replayFiles({ producer, topics: fx.topics, files: [IBM_TRADES] });
    expect(replay.sent).toBe(total);
  }

  beforeAll(freshPipeline);

  afterEach(async () => {
    for (const worker of [...children]) await kill9(worker);
  });

  afterAll(async () => {
    await admin?.disconnect();
    await producer?.disconnect();
    await fx?.close();
  });

  async function expectExactCandles(groupId: string, what: string): Promise<void> {
    await eventually(async () => (await committed(admin, groupId, fx.topics.trades)) >= total, `${what}: every trade committed`, 180_000);
    await eventually(
      async () => {
        const stored = await storedIbmCandles(fx.store, "1m");
        return stored.length === ref1m.size && stored.every((c) => c.isFinal);
      },
      `${what}: every 1m candle final`,
      60_000,
    );
    expect(compareCandles(await storedIbmCandles(fx.store, "1m"), ref1m)).toEqual([]);
    expect(compareCandles(await storedIbmCandles(fx.store, "5m"), ref5m)).toEqual([]);
    // Indicators rebuilt after each restart (last 50 stored final candles, EMAs resumed) give the
    // uninterrupted values, which the reference computes from the file's 1m closes.
    expect(compareIndicators(await storedIbmCandles(fx.store, "1m"), referenceIndicators(ref1m))).toEqual([]);
    expect((await fx.store.getLatest(["IBM"]))[0]?.dayVolume).toBe(totalVolume);
  }

  it("restarts from the last committed offset without double-counting volume (3 kills)", async () => {
    const groupId = fx.settings().groupId;
    const fractions = [Math.random(), Math.random(), Math.random()].map((r) => 0.1 + r * 0.8).sort((a, b) => a - b);
    const killedAt: number[] = [];
    const startedMs = Date.now();
    let worker = startWorker(fx, groupId, "w0");
    for (const [i, fraction] of fractions.entries()) {
      const before = await committed(admin, groupId, fx.topics.trades);
      await eventually(
        async () => (await committed(admin, groupId, fx.topics.trades)) >= Math.max(before + 1, Math.floor(fraction * total)),
        `progress to ${(fraction * 100).toFixed(0)}% before kill ${i + 1}\n${worker.lines.slice(-20).join("\n")}`,
        120_000,
      );
      killedAt.push(await committed(admin, groupId, fx.topics.trades));
      await kill9(worker);
      worker = startWorker(fx, groupId, `w${i + 1}`);
    }
    await expectExactCandles(groupId, "after 3 kills");
    console.info(`fault test: killed at committed offsets ${killedAt.join(", ")} of ${total}; exact after ${Date.now() - startedMs} ms`);
  });

  it("gives a killed worker's partitions to the survivor of two, with candles still exact", async () => {
    await freshPipeline();
    const groupId = fx.settings().groupId;
    const a = startWorker(fx, groupId, "a");
    const b = startWorker(fx, groupId, "b");
    const [partitions] = await admin
      .fetchTopicOffsets(fx.topics.trades)
      .then((ps) => [ps.filter((p) => Number(p.high) > 0).map((p) => p.partition)]);
    const ibmPartition = partitions?.[0];
    expect(partitions).toHaveLength(1);
    let owner: Worker | undefined;
    await eventually(
      () => {
        owner = [a, b].find((w) => assignedTrades(w, fx.topics.trades).includes(ibmPartition ?? -1));
        const other = [a, b].find((w) => w !== owner);
        return owner !== undefined && other !== undefined && assignedTrades(other, fx.topics.trades).length > 0;
      },
      "both workers to hold partitions",
      60_000,
    );
    const fraction = 0.2 + Math.random() * 0.6;
    await eventually(
      async () => (await committed(admin, groupId, fx.topics.trades)) >= Math.floor(fraction * total),
      "progress before the kill",
      120_000,
    );
    const killedAt = await committed(admin, groupId, fx.topics.trades);
    await kill9(owner as Worker);
    await expectExactCandles(groupId, "after the owner of IBM's partition was killed");
    const survivor = [a, b].find((w) => w !== owner) as Worker;
    expect(assignedTrades(survivor, fx.topics.trades)).toContain(ibmPartition);
    console.info(`two workers: killed ${owner?.name} (owner of partition ${ibmPartition}) at committed offset ${killedAt} of ${total}`);
  });
});
