// npm run test:faults — servers that die change nothing. While the real IBM 2013-10-07 trade file
// replays (its own process, paced) through a stream worker process (restarted when it exits, as the
// supervisor does), each fault hits the real local server: (a) kill -9 the worker 3×, (b) kill -9
// Kafka, 90 s down, (c) kill -9 Cassandra, 120 s down, (d) restart Redis, (e) kill the DataNode
// during an archive job. After each: 1m and 5m candles identical to the independent reference, raw
// `trades` rows = ticks sent, no 1m candle published final before it was complete, every live
// update read without a gap by a reader that resumes from its last id, the job completed. Prints
// the table kept in docs/operations.md. Runs last: it stops and starts the shared servers.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Admin } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "../../adapters/config";
import { WebHdfsClient } from "../../adapters/hdfs";
import { readManifest } from "../../adapters/hdfs-archive";
import { LIVE_STREAM_KEY, readLiveUpdates } from "../../adapters/live-channel";
import { createRedis } from "../../adapters/redis";
import { archiveSymbolDir } from "../../core/archive-layout";
import { type ArchivePayload, type ArchiveResult } from "../../core/batch-jobs";
import type { CandleUpdate } from "../../core/live-updates";
import { servicesUp } from "../../infra/services";
import { isAlive } from "../../infra/processes";
import {
  compareCandles,
  createFixture,
  IBM_DAY_UTC_MS,
  IBM_TRADES,
  IBM_UTC_OFFSET_HOURS,
  referenceCandles,
  storedIbmCandles,
  type Fixture,
  type RefCandle,
} from "../../workers/stream/pipeline-fixture";
import { openBatchQueue, type Closer } from "../batch-queue";
import { eventually, testLog, uniqueName } from "../helpers";

const config = getConfig();
const ROOT = process.cwd();
const ref1m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
const ref5m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 300_000);
const TOTAL = [...ref1m.values()].reduce((n, c) => n + c.count, 0);
/** Event time runs this many times faster: the whole day (04:00–19:26 New York) replays in about a minute. */
const REPLAY_SPEED = "1000";
// Live updates of these runs go to a Redis database of their own.
const REDIS_DB = 10;
const redisUrl = (() => {
  const url = new URL(config.redis.url);
  url.pathname = `/${REDIS_DB}`;
  return url.toString();
})();

type Row = {
  fault: string;
  recoveryS: string;
  candles: number;
  mismatches: number;
  rawLost: number;
  earlyFinals: number;
  liveGaps: number;
};
const table: Row[] = [];

/** A process kept running like the supervisor keeps it: restarted 0.5 s after it exits, until stopped. */
class Supervised {
  child: ChildProcess | undefined;
  restarts = 0;
  private stopped = false;
  readonly lines: string[] = [];
  constructor(
    private readonly args: string[],
    private readonly env: Record<string, string>,
  ) {
    this.start();
  }
  private start(): void {
    const child = spawn(process.execPath, ["--import", "tsx", ...this.args], {
      cwd: ROOT,
      // eslint-disable-next-line no-restricted-syntax -- hands the environment on to the child; reads no setting
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(line);
      if (this.lines.length > 500) this.lines.splice(0, this.lines.length - 500);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("exit", () => {
      if (this.stopped) return;
      this.restarts++;
      setTimeout(() => !this.stopped && this.start(), 500);
    });
    this.child = child;
  }
  kill9(): void {
    this.child?.kill("SIGKILL");
  }
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
    });
  }
}

/** Reads the live stream like a dashboard: from its last id, resuming after any error. */
class LiveReader {
  lastId = "0-0";
  readonly ids: string[] = [];
  /** First final 1m update of each IBM window. */
  readonly firstFinal = new Map<number, CandleUpdate>();
  private stopped = false;
  private readonly redis = createRedis(redisUrl, "worker", testLog);
  readonly done: Promise<void>;
  constructor() {
    this.done = this.loop();
  }
  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const batch = await readLiveUpdates(this.redis, this.lastId, 1_000, 500);
        for (const entry of batch.entries) {
          this.ids.push(entry.id);
          const update = JSON.parse(entry.json) as CandleUpdate;
          if (
            update.type === "candle" &&
            update.symbol === "IBM" &&
            update.interval === "1m" &&
            update.isFinal &&
            !this.firstFinal.has(update.windowStart)
          ) {
            this.firstFinal.set(update.windowStart, update);
          }
        }
        this.lastId = batch.lastId;
      } catch {
        // Redis restarting: read on from the last id once it is back.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    this.redis.disconnect();
  }
  /** Entries of the stream the reader did not get (0: no gap). */
  async gaps(): Promise<number> {
    const redis = createRedis(redisUrl, "worker", testLog);
    try {
      const all = (await redis.xrange(LIVE_STREAM_KEY, "-", "+")).map(([id]) => id);
      const seen = new Set(this.ids);
      return all.filter((id) => !seen.has(id)).length;
    } finally {
      redis.disconnect();
    }
  }
}

/** 1m windows whose first final update differs from the complete candle (published final early). */
function earlyFinals(reader: LiveReader, ref: Map<number, RefCandle>): number {
  let n = 0;
  for (const [start, u] of reader.firstFinal) {
    const r = ref.get(start);
    if (
      !r ||
      u.open !== r.open ||
      u.high !== r.high ||
      u.low !== r.low ||
      u.close !== r.close ||
      u.volume !== r.volume ||
      u.tradeCount !== r.count
    )
      n++;
  }
  return n;
}

/** The group's committed trades; -1 while the broker cannot say (restarting, its coordinator loading). */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } catch {
    return -1;
  }
}

/** Seconds from `fromMs` until the group's committed trades move past where they stood. */
async function recoverySeconds(admin: Admin, groupId: string, topic: string, fromMs: number): Promise<number> {
  let at = -1;
  await eventually(async () => (at = await committed(admin, groupId, topic)) >= 0, "the group's offsets readable", 180_000);
  await eventually(async () => (await committed(admin, groupId, topic)) > at, "the worker writing again", 180_000);
  return (Date.now() - fromMs) / 1_000;
}

function serverPid(service: string, proc: string): number {
  const file = path.join(config.dataDir, service, `${proc}.pid`);
  const pid = Number(fs.readFileSync(file, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${file}`);
  return pid;
}

async function killServer(service: string, proc: string, signal: NodeJS.Signals): Promise<void> {
  const pid = serverPid(service, proc);
  process.kill(pid, signal);
  // Not signal 0 alone: a killed server its parent has not reaped yet is a zombie, dead but signalable.
  await eventually(() => !isAlive(pid), `${service}/${proc} to exit`, 60_000);
}

/** Brings the stopped servers back and waits for real readiness; returns when they answer. */
async function serversBack(): Promise<number> {
  await servicesUp(config);
  return Date.now();
}

type Run = { fx: Fixture; admin: Admin; groupId: string; worker: Supervised; replay: Supervised; reader: LiveReader };

async function startRun(): Promise<Run> {
  const fx = await createFixture(3);
  const admin = fx.kafka.admin();
  await admin.connect();
  const redis = createRedis(redisUrl, "worker", testLog);
  await redis.del(LIVE_STREAM_KEY);
  redis.disconnect();
  const groupId = uniqueName("faults");
  const reader = new LiveReader();
  const worker = new Supervised(["workers/stream/main.ts"], {
    KAFKA_TOPIC_PREFIX: fx.prefix,
    CASSANDRA_KEYSPACE: fx.keyspace,
    STREAM_GROUP_ID: groupId,
    STREAM_IDLE_CLOSE_MS: "3000",
    REDIS_URL: redisUrl,
    LIVE_STREAM_MAXLEN: "1000000",
    LOG_LEVEL: "info",
  });
  const replay = new Supervised(["workers/feeds/replay.ts", IBM_TRADES, "--speed", REPLAY_SPEED, "--restart"], {
    KAFKA_TOPIC_PREFIX: fx.prefix,
    LOG_LEVEL: "info",
  });
  return { fx, admin, groupId, worker, replay, reader };
}

/** Waits for the replay and the worker to finish, checks everything, adds the table row. */
async function finishRun(run: Run, fault: string, recoveryS: string): Promise<Row> {
  const { fx, admin, groupId } = run;
  await eventually(() => run.replay.child?.exitCode === 0, `the replay to finish\n${run.replay.lines.slice(-5).join("\n")}`, 600_000);
  await run.replay.stop();
  await eventually(
    async () => (await committed(admin, groupId, fx.topics.trades)) >= TOTAL,
    `every trade committed\n${run.worker.lines.slice(-5).join("\n")}`,
    300_000,
  );
  await eventually(
    async () =>
      (await storedIbmCandles(fx.store, "1m")).every((c) => c.isFinal) && (await storedIbmCandles(fx.store, "1m")).length >= ref1m.size,
    "every 1m candle final",
    120_000,
  );
  const mismatches = [
    ...compareCandles(await storedIbmCandles(fx.store, "1m"), ref1m),
    ...compareCandles(await storedIbmCandles(fx.store, "5m"), ref5m),
  ];
  const rows = await fx.client.execute(`SELECT COUNT(*) AS n FROM ${fx.keyspace}.trades WHERE symbol = 'IBM' AND day = '2013-10-07'`);
  const raw = Number(rows.first()?.get("n") ?? 0);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await run.reader.stop();
  const row: Row = {
    fault,
    recoveryS,
    candles: ref1m.size + ref5m.size,
    mismatches: mismatches.length,
    rawLost: TOTAL - raw,
    earlyFinals: earlyFinals(run.reader, ref1m),
    liveGaps: await run.reader.gaps(),
  };
  table.push(row);
  await run.worker.stop();
  await admin.disconnect();
  await fx.close();
  return row;
}

function expectClean(row: Row): void {
  expect({ mismatches: row.mismatches, rawLost: row.rawLost, earlyFinals: row.earlyFinals, liveGaps: row.liveGaps }).toEqual({
    mismatches: 0,
    rawLost: 0,
    earlyFinals: 0,
    liveGaps: 0,
  });
}

/** Waits until the group has committed `fraction` of the file (the fault lands mid-replay). */
async function progressTo(run: Run, fraction: number): Promise<void> {
  await eventually(
    async () => (await committed(run.admin, run.groupId, run.fx.topics.trades)) >= fraction * TOTAL,
    `progress to ${fraction * 100}%`,
    300_000,
  );
}

describe("fault suite: servers that die change nothing", () => {
  afterAll(async () => {
    // Whatever happened, leave the servers running for what comes next.
    await servicesUp(config);
    console.info(
      [
        "",
        "| fault | recovery after the server was back | candles compared | mismatches | raw rows lost | 1m published final early | live entries missed |",
        "|---|---|---|---|---|---|---|",
        ...table.map(
          (r) => `| ${r.fault} | ${r.recoveryS} | ${r.candles} | ${r.mismatches} | ${r.rawLost} | ${r.earlyFinals} | ${r.liveGaps} |`,
        ),
      ].join("\n"),
    );
  });

  it("(a) kill -9 of the stream worker 3× mid-replay", async () => {
    const run = await startRun();
    const recoveries: number[] = [];
    for (const fraction of [0.2, 0.45, 0.7]) {
      await progressTo(run, fraction);
      run.worker.kill9();
      recoveries.push(await recoverySeconds(run.admin, run.groupId, run.fx.topics.trades, Date.now()));
    }
    const row = await finishRun(
      run,
      "stream worker kill -9, 3× (restarted after 0.5 s)",
      recoveries.map((s) => `${s.toFixed(1)} s`).join(", "),
    );
    expectClean(row);
    expect(Math.max(...recoveries)).toBeLessThan(8);
  });

  it("(b) Kafka kill -9, down 90 s", async () => {
    const run = await startRun();
    await progressTo(run, 0.3);
    await killServer("kafka", "kafka", "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 90_000));
    const backMs = await serversBack();
    const recovery = await recoverySeconds(run.admin, run.groupId, run.fx.topics.trades, backMs);
    const row = await finishRun(run, "Kafka kill -9, down 90 s", `${recovery.toFixed(1)} s`);
    expectClean(row);
    expect(recovery).toBeLessThan(5);
  });

  it("(c) Cassandra kill -9, down 120 s", async () => {
    const run = await startRun();
    await progressTo(run, 0.3);
    await killServer("cassandra", "cassandra", "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 120_000));
    const backMs = await serversBack();
    const recovery = await recoverySeconds(run.admin, run.groupId, run.fx.topics.trades, backMs);
    const row = await finishRun(run, "Cassandra kill -9, down 120 s", `${recovery.toFixed(1)} s`);
    expectClean(row);
    expect(recovery).toBeLessThan(5);
  });

  it("(d) Redis restarted mid-replay", async () => {
    const run = await startRun();
    await progressTo(run, 0.3);
    await killServer("redis", "redis", "SIGTERM");
    const backMs = await serversBack();
    const recovery = await recoverySeconds(run.admin, run.groupId, run.fx.topics.trades, backMs);
    const row = await finishRun(run, "Redis restart", `${recovery.toFixed(1)} s`);
    expectClean(row);
  });

  it("(e) DataNode killed during an archive job: the job completes with every row", async () => {
    // The day's raw trades stored by the stream (replayed at full speed), then archived.
    const fx = await createFixture(3);
    const admin = fx.kafka.admin();
    await admin.connect();
    const groupId = uniqueName("faults");
    const worker = new Supervised(["workers/stream/main.ts"], {
      KAFKA_TOPIC_PREFIX: fx.prefix,
      CASSANDRA_KEYSPACE: fx.keyspace,
      STREAM_GROUP_ID: groupId,
      REDIS_URL: redisUrl,
      LOG_LEVEL: "warn",
    });
    const replay = new Supervised(["workers/feeds/replay.ts", IBM_TRADES, "--restart"], {
      KAFKA_TOPIC_PREFIX: fx.prefix,
      LOG_LEVEL: "warn",
    });
    await eventually(async () => (await committed(admin, groupId, fx.topics.trades)) >= TOTAL, "every trade committed", 300_000);
    await replay.stop();
    await worker.stop();
    const hdfs = new WebHdfsClient({ baseUrl: config.hdfs.webhdfsUrl, user: config.hdfs.user });
    const root = `/${uniqueName("faults_archive")}`;
    const redis = createRedis(config.redis.url, "worker", testLog);
    const closers: Closer[] = [];
    const { queue, events, startWorker } = await openBatchQueue({
      redis,
      store: fx.store,
      closers,
      deps: { archive: { hdfs, root } },
      productBackoff: true,
    });
    startWorker();
    try {
      const job = await queue.add("archive", { day: "2013-10-07", symbols: ["IBM"] } satisfies ArchivePayload);
      await eventually(async () => (await job.isActive()) || (await job.isCompleted()), "the archive job to start", 60_000);
      await killServer("hdfs", "datanode", "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      const backMs = await serversBack();
      const result = (await job.waitUntilFinished(events, 300_000)) as ArchiveResult;
      const manifest = await readManifest(hdfs, archiveSymbolDir("trades", "2013-10-07", "IBM", root));
      table.push({
        fault: `DataNode kill -9 during an archive job, down 20 s (job ${result ? "completed" : "failed"})`,
        recoveryS: `${((Date.now() - backMs) / 1_000).toFixed(1)} s to the job's end`,
        candles: 0,
        mismatches: 0,
        rawLost: TOTAL - (manifest?.rows ?? 0),
        earlyFinals: 0,
        liveGaps: 0,
      });
      expect(manifest?.rows).toBe(TOTAL);
    } finally {
      for (const close of closers.reverse()) await close();
      await hdfs.delete(root, { recursive: true }).catch(() => undefined);
      redis.disconnect();
      await admin.disconnect();
      await fx.close();
    }
  });
});
