// npm run bench:peer — the product's stream worker against Apache Spark Structured Streaming
// (bench/peer/SparkCandles.java, local[2]) on the same broker and the same trades topics, one at a
// time, each in its own process:
// 1. catch-up, per input (the real IBM 2013-10-07 trade file; a larger synthetic set in the same
//    LEAN format), both replayed once into the input's topics by feed:replay: the worker (fresh
//    group and keyspace) until every offset is committed; Spark (fresh checkpoint) until its
//    micro-batches have taken every record. Trades/s, trades per CPU-second, peak RSS.
// 2. correctness: Spark's last 1m candles and the product's stored 1m candles against the
//    independent reference (workers/stream/pipeline-fixture.ts) and against each other.
// 3. latency: trades of 20 symbols at a constant rate, ts = now (bench/live/produce-trades.ts),
//    first through the worker, then through Spark; per trade, produced → first visible candle
//    version that counts it (the product: its live update's Redis entry time; Spark: the rename of
//    its micro-batch file), p50/p99.
// Removes its topics, keyspaces, consumer groups, Redis keys and Spark folders at the end.
// Options: --trades N (200000) synthetic trades, --symbols S (50), --rate R (1000) and --seconds S
// (30) of the latency phase, --warmup-seconds W (10).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Admin, Kafka } from "kafkajs";
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { createCassandraStore, type StoredCandle } from "../adapters/cassandra-store";
import { getConfig } from "../adapters/config";
import { applicationTopics, createKafka, ensureTopics, topicNames, type TopicNames } from "../adapters/kafka";
import { LIVE_STREAM_KEY, rangeLiveUpdates } from "../adapters/live-channel";
import { createLogger } from "../adapters/logger";
import { dataFileName } from "../adapters/market-data";
import { createRedis } from "../adapters/redis";
import { migrate } from "../db/migrations";
import { progress } from "../infra/progress";
import { readPid } from "../infra/processes";
import { servicesUp } from "../infra/services";
import {
  compareCandles,
  IBM_DAY_UTC_MS,
  IBM_TRADES,
  IBM_UTC_OFFSET_HOURS,
  referenceCandles,
  type Mismatch,
  type RefCandle,
} from "../workers/stream/pipeline-fixture";
import { describeSource } from "../workers/feeds/replay-files";
import { BenchChild, percentile } from "./live/children";
import { cpuMs, loadAverage, memoryMiB } from "./live/proc-stats";
import type { ProduceResult } from "./live/produce-trades";
import { latestSparkCandles, prepareSparkJob, SPARK_HEAP, SparkJob, type SparkCandleRow, type SparkRuntime } from "./peer/spark-job";
import { writeSyntheticLeanTrades } from "./peer/synthetic-lean";
import {
  endOffsets,
  readTrades,
  sparkStartingOffsets,
  tradeLatencies,
  type CandleVersion,
  type LatencyResult,
  type Offsets,
} from "./peer/trade-latency";
import { groupLag, startStreamWorker, stopWorkers } from "./pipeline/worker-process";

const { values } = parseArgs({
  options: {
    trades: { type: "string", default: "200000" },
    symbols: { type: "string", default: "50" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "30" },
    "warmup-seconds": { type: "string", default: "10" },
  },
});
const SYNTHETIC_TRADES = Number(values.trades);
const SYNTHETIC_SYMBOLS = Number(values.symbols);
const LIVE_RATE = Number(values.rate);
const LIVE_SECONDS = Number(values.seconds);
const WARMUP_SECONDS = Number(values["warmup-seconds"]);
const LIVE_SYMBOLS = Array.from({ length: 20 }, (_, i) => `PL${String(i).padStart(2, "0")}`);
const SPARK_CORES = 2;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const config = getConfig();
const log = createLogger("bench-peer");
const RUN = `pr${Date.now().toString(36)}`;
const RUN_DIR = path.join(config.dataDir, "bench-peer", RUN);
// bench:pipeline uses Redis database 14, the live benchmarks 13.
const redisUrl = (() => {
  const url = new URL(config.redis.url);
  url.pathname = "/12";
  return url.toString();
})();
const WATERMARK_MS = config.stream.allowedLatenessMs;

type Input = { key: string; label: string; prefix: string; topics: TopicNames; files: string[] };

/** What the run made, removed at the end whatever happened. */
const made = { topics: [] as string[], keyspaces: [] as string[], groups: [] as string[] };

function connect(keyspace?: string): Promise<CassandraClient> {
  return connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    ...(keyspace ? { keyspace } : {}),
    log,
  });
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function pollUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Replays `files` into the topics of `prefix` with feed:replay, its own process; resolves with the records Kafka holds. */
async function replayInto(input: Input, admin: Admin): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "workers/feeds/replay.ts"), "--no-resume", "--chunk", "2000", ...input.files],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: "warn", KAFKA_TOPIC_PREFIX: input.prefix }, // eslint-disable-line no-restricted-syntax -- the child inherits the environment
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-2_000)));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`feed:replay exited ${code}: ${stderr}`))));
  });
  return [...(await endOffsets(admin, input.topics.trades)).values()].reduce((a, b) => a + b, 0);
}

type CatchUp = {
  /** Process start → every record processed (startup included). */
  wallS: number;
  /** Consuming (the worker's group stable / Spark's query started) → every record processed. */
  processingS: number;
  tradesPerS: number;
  cpuS: number;
  tradesPerCpuS: number;
  peakRssMiB: number;
  /** The Cassandra server's CPU over the same span (the product writes to it; Spark does not). */
  cassandraCpuS?: number;
};

function cassandraCpuMs(): number | undefined {
  if (config.cassandra.external) return undefined;
  const pid = readPid(path.join(config.dataDir, "cassandra", "cassandra.pid"));
  return pid === undefined ? undefined : cpuMs(pid);
}

/** The stream worker on a fresh group and keyspace until every trade of `input` is committed; its 1m candles per symbol. */
async function productCatchUp(
  input: Input,
  admin: Admin,
  client: CassandraClient,
  records: number,
): Promise<{ run: CatchUp; candles: Map<string, StoredCandle[]> }> {
  const keyspace = `${RUN}_${input.key}`;
  const group = `${RUN}-${input.key}`;
  made.keyspaces.push(keyspace);
  made.groups.push(group);
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  const bar = progress(`product, ${input.label}`);
  const startedMs = Date.now();
  const worker = startStreamWorker({ prefix: input.prefix, keyspace, group, redisUrl });
  let joined: { atMs: number; cpuMs: number; cassandraCpuMs: number | undefined } | undefined;
  let run: CatchUp;
  try {
    let doneMs = 0;
    await pollUntil(
      "the stream worker committing every trade",
      async () => {
        if (worker.exitCode !== null) throw new Error(`the stream worker exited (${worker.exitCode})`);
        if (joined === undefined && (await admin.describeGroups([group])).groups[0]?.state === "Stable") {
          joined = { atMs: Date.now(), cpuMs: cpuMs(worker.pid ?? -1), cassandraCpuMs: cassandraCpuMs() };
        }
        const lag = await groupLag(admin, group, [input.topics.trades]);
        bar.update(`${fmt(records - lag)}/${fmt(records)} trades committed`);
        doneMs = Date.now();
        return joined !== undefined && lag === 0;
      },
      900_000,
    );
    const from = joined as NonNullable<typeof joined>;
    const cpuS = (cpuMs(worker.pid ?? -1) - from.cpuMs) / 1000;
    const cassandraNow = cassandraCpuMs();
    const processingS = (doneMs - from.atMs) / 1000;
    run = {
      wallS: (doneMs - startedMs) / 1000,
      processingS,
      tradesPerS: records / processingS,
      cpuS,
      tradesPerCpuS: records / cpuS,
      peakRssMiB: memoryMiB(worker.pid ?? -1).peak,
      ...(cassandraNow !== undefined && from.cassandraCpuMs !== undefined
        ? { cassandraCpuS: (cassandraNow - from.cassandraCpuMs) / 1000 }
        : {}),
    };
  } finally {
    await stopWorkers([worker]);
  }
  bar.done(`${run.processingS.toFixed(1)} s, ${fmt(run.tradesPerS)} trades/s`);
  const store = createCassandraStore(client, keyspace);
  const candles = new Map<string, StoredCandle[]>();
  for (const file of input.files) {
    const { symbol } = describeSource(file);
    candles.set(symbol, await store.getCandles(symbol, "1m", IBM_DAY_UTC_MS, IBM_DAY_UTC_MS + 86_400_000 - 1, 100_000));
  }
  return { run, candles };
}

/** Spark from the earliest offset of `input`'s trades topic until its micro-batches have taken every record; its last 1m candles. */
async function sparkCatchUp(
  input: Input,
  runtime: SparkRuntime,
  records: number,
): Promise<{ run: CatchUp; candles: Map<string, Map<number, SparkCandleRow>>; versions: { spark: string; java: string } }> {
  const bar = progress(`Spark, ${input.label}`);
  bar.update("starting");
  const startedMs = Date.now();
  const job = new SparkJob({
    runtime,
    dir: path.join(RUN_DIR, `spark-${input.key}`),
    brokers: config.kafka.brokers,
    topic: input.topics.trades,
    startingOffsets: "earliest",
    watermarkMs: WATERMARK_MS,
    triggerMs: 0,
    cores: SPARK_CORES,
  });
  let run: CatchUp;
  let versions = { spark: "?", java: "?" };
  try {
    await job.waitFor("its query's start", () => job.events.some((e) => e.event === "started"), 300_000);
    const started = job.events.find((e) => e.event === "started");
    if (started?.event === "started") versions = { spark: started.sparkVersion, java: started.javaVersion };
    const cpuAtStart = cpuMs(job.pid);
    const timer = setInterval(() => bar.update(`${fmt(job.inputRows)}/${fmt(records)} trades taken`), 1_000);
    try {
      await job.waitFor(`${records} records`, () => job.inputRows >= records, 900_000);
    } finally {
      clearInterval(timer);
    }
    const doneMs = job.events.findLast((e) => e.event === "progress")?.atMs ?? Date.now();
    const startMs = started?.atMs ?? startedMs;
    const processingS = (doneMs - startMs) / 1000;
    const cpuS = (cpuMs(job.pid) - cpuAtStart) / 1000;
    run = {
      wallS: (doneMs - startedMs) / 1000,
      processingS,
      tradesPerS: records / processingS,
      cpuS,
      tradesPerCpuS: records / cpuS,
      peakRssMiB: memoryMiB(job.pid).peak,
    };
  } finally {
    await job.stop();
  }
  bar.done(`${run.processingS.toFixed(1)} s, ${fmt(run.tradesPerS)} trades/s`);
  return { run, candles: latestSparkCandles(job.readCandles()), versions };
}

/** A Spark row as a stored candle, for compareCandles (which reads OHLC, volume, VWAP and count only). */
function sparkAsStored(row: SparkCandleRow): StoredCandle {
  return {
    candle: {
      symbol: row.symbol,
      interval: "1m",
      windowStart: row.windowStart,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      volume: row.volume,
      notional: row.notional,
      vwap: row.notional / row.volume,
      tradeCount: row.count,
      // Spark's job does not keep these; compareCandles does not read them.
      firstTs: row.windowStart,
      firstTradeId: "",
      lastTs: row.lastTs,
      lastTradeId: "",
    },
    isFinal: true,
    sourcePartition: undefined,
    lastOffset: undefined,
    updatedAtMs: undefined,
    indicators: {},
  };
}

function sparkAsReference(rows: Map<number, SparkCandleRow>): Map<number, RefCandle> {
  return new Map(
    [...rows].map(([start, r]) => [
      start,
      {
        windowStart: start,
        open: r.open,
        high: r.high,
        low: r.low,
        close: r.close,
        volume: r.volume,
        notional: r.notional,
        count: r.count,
      },
    ]),
  );
}

type Correctness = { candles: number; productVsReference: Mismatch[]; sparkVsReference: Mismatch[]; productVsSpark: Mismatch[] };

function checkCandles(input: Input, product: Map<string, StoredCandle[]>, spark: Map<string, Map<number, SparkCandleRow>>): Correctness {
  const out: Correctness = { candles: 0, productVsReference: [], sparkVsReference: [], productVsSpark: [] };
  for (const file of input.files) {
    const { symbol } = describeSource(file);
    const reference = referenceCandles(file, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
    const stored = product.get(symbol) ?? [];
    const sparkRows = spark.get(symbol) ?? new Map<number, SparkCandleRow>();
    const tag = (m: Mismatch): Mismatch => ({ ...m, problem: `${symbol} ${m.problem}` });
    out.candles += reference.size;
    // Not requiring final: the last window of each symbol is still open when the backlog ends.
    out.productVsReference.push(...compareCandles(stored, reference, false).map(tag));
    out.sparkVsReference.push(...compareCandles([...sparkRows.values()].map(sparkAsStored), reference, false).map(tag));
    out.productVsSpark.push(...compareCandles(stored, sparkAsReference(sparkRows), false).map(tag));
  }
  return out;
}

type LiveRun = {
  latency: LatencyResult;
  produced: number;
  cpuPercent: number;
  peakRssMiB: number;
  note: string;
  loadAverage: [number, number];
};

/** Every 1m candle live update in the Redis stream, at its entry time. */
async function productVersions(): Promise<CandleVersion[]> {
  const redis = createRedis(redisUrl, "client", log);
  const versions: CandleVersion[] = [];
  try {
    for (let after = "0-0"; ;) {
      const { batch } = await rangeLiveUpdates(redis, after, 10_000);
      if (batch.entries.length === 0) return versions;
      for (const e of batch.entries) {
        if (e.route.type !== "candle" || e.route.interval !== "1m") continue;
        const update = JSON.parse(e.json) as { symbol: string; windowStart: number; tradeCount: number };
        versions.push({
          symbol: update.symbol,
          windowStart: update.windowStart,
          count: update.tradeCount,
          visibleMs: Number(e.id.split("-")[0]),
        });
      }
      after = batch.lastId;
    }
  } finally {
    await redis.quit();
  }
}

/**
 * One subject on the live topic: started at its end offsets, warmed up at the rate, then measured.
 * `processed` says how many trades since its start it has finished.
 */
async function liveRun(
  name: string,
  kafka: Kafka,
  admin: Admin,
  topic: string,
  producer: BenchChild,
  subject: {
    start(from: Offsets): Promise<number>;
    processed(from: Offsets): Promise<number>;
    versions(): Promise<CandleVersion[]>;
    peakRssMiB(): number;
    /** What the subject says about its work since `sinceMs`. */
    note?(sinceMs: number): string;
    stop(): Promise<void>;
  },
): Promise<LiveRun> {
  const bar = progress(`latency, ${name}`);
  const from = await endOffsets(admin, topic);
  bar.update("starting");
  const pid = await subject.start(from);
  try {
    bar.update(`warm-up ${WARMUP_SECONDS} s`);
    const warm = await producer.request<ProduceResult>("produce", { rate: LIVE_RATE, seconds: WARMUP_SECONDS });
    await pollUntil(`${name} taking the warm-up trades`, async () => (await subject.processed(from)) >= warm.sent, 300_000);
    const measuredFrom = await endOffsets(admin, topic);
    const cpuBefore = cpuMs(pid);
    const loadBefore = loadAverage();
    bar.update(`${fmt(LIVE_RATE)} trades/s for ${LIVE_SECONDS} s`);
    const measuredStartMs = Date.now();
    const produced = await producer.request<ProduceResult>("produce", { rate: LIVE_RATE, seconds: LIVE_SECONDS });
    await pollUntil(
      `${name} taking the measured trades`,
      async () => (await subject.processed(from)) >= warm.sent + produced.sent,
      120_000,
    );
    const cpuPercent = ((cpuMs(pid) - cpuBefore) / (Date.now() - measuredStartMs)) * 100;
    const to = await endOffsets(admin, topic);
    const trades = await readTrades(kafka, topic, `${RUN}-readback-${name}`, from, to);
    // Published after the commit (the product) or before the progress event (Spark): a short poll for the last ones.
    let latency: LatencyResult = { latenciesMs: [], missing: produced.sent };
    await pollUntil(
      `${name}'s last candle versions`,
      async () => (latency = tradeLatencies(trades, measuredFrom, await subject.versions())).missing === 0,
      10_000,
      250,
    ).catch((error: unknown) => log.warn({ err: error }, "some measured trades were never visible"));
    const peakRssMiB = subject.peakRssMiB();
    const note = subject.note?.(measuredStartMs) ?? "";
    bar.done(`p50 ${fmt(percentile(latency.latenciesMs, 50))} ms, p99 ${fmt(percentile(latency.latenciesMs, 99))} ms`);
    return { latency, produced: produced.sent, cpuPercent, peakRssMiB, note, loadAverage: [loadBefore, loadAverage()] };
  } finally {
    await subject.stop();
  }
}

async function main(): Promise<void> {
  await servicesUp(config);
  fs.mkdirSync(RUN_DIR, { recursive: true });
  const prepare = progress("Spark job");
  prepare.update("classpath and compile");
  const runtime = await prepareSparkJob(config.dataDir, config.javaHome);
  prepare.done(`${runtime.classpath.length - 1} jars`);
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "bench-peer", log });
  const admin = kafka.admin();
  await admin.connect();
  const client = await connect();
  const redis = createRedis(redisUrl, "client", log);
  let producer: BenchChild | undefined;
  try {
    const makeInput = (key: string, label: string, files: string[]): Input => {
      const prefix = `${RUN}.${key}.`;
      const topics = topicNames(prefix);
      made.topics.push(...Object.values(topics));
      return { key, label, prefix, topics, files };
    };
    const inputs = [
      makeInput("ibm", `IBM ${dataFileName(IBM_TRADES)}`, [IBM_TRADES]),
      makeInput(
        "syn",
        `synthetic, ${SYNTHETIC_SYMBOLS} symbols`,
        writeSyntheticLeanTrades(path.join(RUN_DIR, "synthetic"), SYNTHETIC_TRADES, SYNTHETIC_SYMBOLS, "20131007"),
      ),
    ];
    const live = makeInput("live", `${LIVE_SYMBOLS.length} symbols live`, []);
    for (const input of [...inputs, live]) await ensureTopics(admin, applicationTopics(config.kafka.partitions, 1, input.topics));
    console.log(
      `bench:peer — run ${RUN}; ${config.kafka.partitions} partitions; Spark local[${SPARK_CORES}], -Xmx${SPARK_HEAP}, watermark ${WATERMARK_MS} ms, default trigger`,
    );

    const results: Array<{ input: Input; records: number; product: CatchUp; spark: CatchUp; correctness: Correctness }> = [];
    let versions = { spark: "?", java: "?" };
    for (const input of inputs) {
      const bar = progress(`replay ${input.label}`);
      bar.update("producing");
      const records = await replayInto(input, admin);
      bar.done(`${fmt(records)} trades in Kafka`);
      const product = await productCatchUp(input, admin, client, records);
      const spark = await sparkCatchUp(input, runtime, records);
      versions = spark.versions;
      results.push({
        input,
        records,
        product: product.run,
        spark: spark.run,
        correctness: checkCandles(input, product.candles, spark.candles),
      });
    }

    producer = new BenchChild("producer", "bench/live/produce-trades.ts", ["--prefix", live.prefix, "--symbols", LIVE_SYMBOLS.join(",")]);
    await producer.request("ready");
    const liveKeyspace = `${RUN}_live`;
    const liveGroup = `${RUN}-live`;
    made.keyspaces.push(liveKeyspace);
    made.groups.push(liveGroup);
    await migrate(connect, liveKeyspace, { class: "SimpleStrategy", replication_factor: 1 });
    await redis.del(LIVE_STREAM_KEY);
    let worker: ReturnType<typeof startStreamWorker> | undefined;
    const productLive = await liveRun("product", kafka, admin, live.topics.trades, producer, {
      async start(from) {
        for (const topic of [live.topics.trades, live.topics.quotes, live.topics.prices]) {
          const ends = topic === live.topics.trades ? from : await endOffsets(admin, topic);
          await admin.setOffsets({
            groupId: liveGroup,
            topic,
            partitions: [...ends].map(([partition, offset]) => ({ partition, offset: String(offset) })),
          });
        }
        // Room for every live update of the run, so none is trimmed before it is read.
        worker = startStreamWorker({
          prefix: live.prefix,
          keyspace: liveKeyspace,
          group: liveGroup,
          redisUrl,
          env: { LIVE_STREAM_MAXLEN: "5000000" },
        });
        await pollUntil(
          "the stream worker joining",
          async () => (await admin.describeGroups([liveGroup])).groups[0]?.state === "Stable",
          60_000,
        );
        return worker.pid ?? -1;
      },
      processed: async (from) => {
        const [committed] = await admin.fetchOffsets({ groupId: liveGroup, topics: [live.topics.trades] });
        let n = 0;
        for (const [partition, start] of from) {
          const at = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
          n += Math.max(0, at - start);
        }
        return n;
      },
      versions: productVersions,
      peakRssMiB: () => memoryMiB(worker?.pid ?? -1).peak,
      stop: () => stopWorkers(worker ? [worker] : []),
    });
    let job: SparkJob | undefined;
    const sparkLive = await liveRun("Spark", kafka, admin, live.topics.trades, producer, {
      async start(from) {
        job = new SparkJob({
          runtime,
          dir: path.join(RUN_DIR, "spark-live"),
          brokers: config.kafka.brokers,
          topic: live.topics.trades,
          startingOffsets: sparkStartingOffsets(live.topics.trades, from),
          watermarkMs: WATERMARK_MS,
          triggerMs: 0,
          cores: SPARK_CORES,
        });
        const started = job;
        await started.waitFor("its query's start", () => started.events.some((e) => e.event === "started"), 300_000);
        return started.pid;
      },
      processed: () => Promise.resolve(job?.inputRows ?? 0),
      versions: () =>
        Promise.resolve(
          (job?.readCandles() ?? []).map((r) => ({ symbol: r.symbol, windowStart: r.windowStart, count: r.count, visibleMs: r.writtenMs })),
        ),
      peakRssMiB: () => memoryMiB(job?.pid ?? -1).peak,
      note: (sinceMs) => {
        const batches = (job?.events ?? []).flatMap((e) => (e.event === "progress" && e.atMs >= sinceMs ? [e] : []));
        const durations = batches.map((b) => b.triggerMs).sort((a, b) => a - b);
        return `${fmt(batches.length)} micro-batches, each p50 ${ms(durations, 50)}, p99 ${ms(durations, 99)}`;
      },
      stop: () => job?.stop() ?? Promise.resolve(),
    });

    printResults(results, { product: productLive, spark: sparkLive }, versions);
  } finally {
    await producer?.stop();
    await cleanUp(admin, client, redis);
  }
}

const ms = (sorted: readonly number[], p: number) => `${fmt(percentile(sorted, p))} ms`;
const mismatchLine = (list: readonly Mismatch[]) =>
  list.length === 0
    ? "equal"
    : `${fmt(list.length)} differences, e.g. ${list
        .slice(0, 3)
        .map((m) => `${new Date(m.windowStart).toISOString().slice(11, 16)} ${m.problem}`)
        .join("; ")}`;

function printResults(
  results: ReadonlyArray<{ input: Input; records: number; product: CatchUp; spark: CatchUp; correctness: Correctness }>,
  live: { product: LiveRun; spark: LiveRun },
  versions: { spark: string; java: string },
): void {
  console.log(
    `\nApache Spark ${versions.spark} (spark-sql + spark-sql-kafka-0-10, Scala 2.13) on Java ${versions.java}, local[${SPARK_CORES}], -Xmx${SPARK_HEAP}; the product's stream worker: one Node.js ${process.version} process`,
  );
  for (const { input, records, product, spark, correctness } of results) {
    console.log(`\n${input.label}: ${fmt(records)} trades queued, ${fmt(correctness.candles)} reference 1m candles`);
    console.log("catch-up      | consuming → all processed | trades/s | wall from process start | CPU      | trades per CPU-s | peak RSS");
    for (const [name, r] of [
      ["product", product],
      ["Spark", spark],
    ] as const) {
      const cassandra = r.cassandraCpuS === undefined ? "" : ` (+ Cassandra ${r.cassandraCpuS.toFixed(1)} s)`;
      console.log(
        `${name.padEnd(13)} | ${r.processingS.toFixed(1).padStart(22)} s | ${fmt(r.tradesPerS).padStart(8)} | ${r.wallS.toFixed(1).padStart(21)} s | ${r.cpuS.toFixed(1)} s${cassandra} | ${fmt(r.tradesPerCpuS).padStart(16)} | ${fmt(r.peakRssMiB)} MiB`,
      );
    }
    console.log(
      `product / Spark: ${(product.tradesPerS / spark.tradesPerS).toFixed(2)}× trades/s, ${(product.tradesPerCpuS / spark.tradesPerCpuS).toFixed(2)}× trades per CPU-second`,
    );
    console.log(`1m candles, product vs reference: ${mismatchLine(correctness.productVsReference)}`);
    console.log(`1m candles, Spark vs reference:   ${mismatchLine(correctness.sparkVsReference)}`);
    console.log(`1m candles, product vs Spark:     ${mismatchLine(correctness.productVsSpark)}`);
  }
  console.log(
    `\nlatency, ${LIVE_SYMBOLS.length} symbols at ${fmt(LIVE_RATE)} trades/s for ${LIVE_SECONDS} s (ts = now), trade produced → first visible 1m candle counting it`,
  );
  console.log("subject | trades | p50 | p99 | max | never visible | CPU | peak RSS | load average");
  for (const [name, r] of [
    ["product (Redis live update)", live.product],
    ["Spark (micro-batch file)", live.spark],
  ] as const) {
    const l = r.latency.latenciesMs;
    console.log(
      `${name} | ${fmt(r.produced)} | ${ms(l, 50)} | ${ms(l, 99)} | ${fmt(l.at(-1) ?? Number.NaN)} ms | ${fmt(r.latency.missing)} | ${fmt(r.cpuPercent)} % | ${fmt(r.peakRssMiB)} MiB | ${r.loadAverage.map((x) => x.toFixed(1)).join(" → ")}${r.note ? ` | ${r.note}` : ""}`,
    );
  }
  const p = (r: LiveRun, q: number) => percentile(r.latency.latenciesMs, q);
  console.log(
    `Spark / product: p50 ${(p(live.spark, 50) / p(live.product, 50)).toFixed(1)}×, p99 ${(p(live.spark, 99) / p(live.product, 99)).toFixed(1)}×`,
  );
}

/** Every cleanup step runs even if one fails. */
async function cleanUp(admin: Admin, client: CassandraClient, redis: ReturnType<typeof createRedis>): Promise<void> {
  const results = await Promise.allSettled([
    admin.deleteTopics({ topics: made.topics }).catch((error: unknown) => {
      throw new Error(`deleting topics: ${error instanceof Error ? error.message : String(error)}`);
    }),
    admin.deleteGroups(made.groups),
    (async () => {
      for (const ks of made.keyspaces) await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
    })(),
    (async () => {
      const keys = await redis.keys("tickstream:*");
      await redis.del(LIVE_STREAM_KEY, ...keys);
    })(),
    fs.promises.rm(RUN_DIR, { recursive: true, force: true }),
  ]);
  for (const result of results)
    if (result.status === "rejected") log.warn({ err: result.reason as unknown }, "bench:peer cleanup step failed");
  await Promise.allSettled([admin.disconnect(), client.shutdown(), redis.quit()]);
}

main().catch((error: unknown) => {
  console.error(`bench:peer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
