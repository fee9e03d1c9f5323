// The admin server functions against the real Redis (own BullMQ prefix), Kafka (own topic prefix
// and group), HDFS (own archive root) and Cassandra (own keyspace).
import { BATCH_JOB_OPTIONS } from "../../core/batch-jobs";
import { UnrecoverableError, type Worker } from "bullmq";
import type { Admin, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { getConfig } from "../../adapters/config";
import { applicationTopics, connectProducer, ensureTopics } from "../../adapters/kafka";
import { createWorker, QUEUES } from "../../adapters/queues";
import { createRedis } from "../../adapters/redis";
import { archiveSymbolDir } from "../../core/archive-layout";
import { migrate } from "../../db/migrations";
import { eventually, testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { createQueryStores } from "../context";
import { AppError, toAppError } from "../errors";
import { createAdminContext, type AdminContext } from "./admin-context";
import { createCassandraStore } from "../../adapters/cassandra-store";
import { createDataQualityState, emitDataQuality } from "../../core/data-quality";
import { browseArchive } from "./browse-archive";
import { getDataQuality } from "./get-data-quality";
import { getStreamHealth } from "./get-stream-health";
import { getJobCounts, getJobDetail, listJobs, listSchedules, removeJob, retryJob } from "./jobs";
import { listVolModels } from "./list-vol-models";
import { readLatestDlq } from "./read-dlq";
import { cancelAdminJob, runJob } from "./run-job";

const config = getConfig();
const queuePrefix = uniqueName("test_admin");
const topicPrefix = `${uniqueName("admin")}.`;
const groupId = uniqueName("admin_group");
const archiveRoot = `/${uniqueName("admin_archive")}`;
const keyspace = uniqueName("test_admin");
const connect = connectTestCassandra;

let client: CassandraClient;
let ctx: AdminContext & { close(): Promise<void> };
let kafkaAdmin: Admin;
let producer: Producer;

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  ctx = createAdminContext({
    queuePrefix,
    topicPrefix,
    groupId,
    archiveRoot,
    db: () => Promise.resolve({ ...createQueryStores(client, keyspace), nowMs: Date.now }),
  });
  kafkaAdmin = ctx.kafka.admin();
  await kafkaAdmin.connect();
  await ensureTopics(kafkaAdmin, applicationTopics(2, 1, ctx.topics));
  producer = await connectProducer(ctx.kafka);
});

afterAll(async () => {
  await producer?.disconnect();
  await kafkaAdmin?.deleteTopics({ topics: Object.values(ctx.topics) }).catch(() => undefined);
  await kafkaAdmin?.disconnect();
  await ctx?.hdfs.delete(archiveRoot, { recursive: true }).catch(() => undefined);
  await ctx?.queue.obliterate({ force: true });
  await ctx?.close();
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

describe("admin jobs", () => {
  it("refuses a run-now payload naming the bad field under data, and enqueues a valid one", async () => {
    const bad = await runJob(ctx, { name: "archive", data: { day: "2026-02-30", kinds: ["ticks"] } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect((bad as AppError).code).toBe("BAD_REQUEST");
    expect(Object.keys((bad as AppError).fields ?? {}).sort()).toEqual(["data.day", "data.kinds[0]"]);
    const unknown = await runJob(ctx, { name: "reindex", data: {} }).catch((e: unknown) => e);
    expect((unknown as AppError).fields).toHaveProperty("name");

    const { id, data } = await runJob(ctx, { name: "archive", data: { day: "2026-11-26" } });
    expect(data).toEqual({ day: "2026-11-26", kinds: ["trades", "quotes"] });
    expect((await getJobCounts(ctx)).waiting).toBe(1);
    const page = await listJobs(ctx, { state: "waiting" });
    expect(page.total).toBe(1);
    expect(page.jobs[0]).toMatchObject({
      id,
      name: "archive",
      state: "waiting",
      progressPct: 0,
      attemptsMade: 0,
      maxAttempts: BATCH_JOB_OPTIONS.attempts,
      durationMs: null,
    });

    // Not started yet: cancel removes it.
    expect(await cancelAdminJob(ctx, id)).toEqual({ id, outcome: "removed" });
    await expect(getJobDetail(ctx, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(cancelAdminJob(ctx, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("shows progress, duration and logs of run jobs, retries a failed one and removes a finished one", async () => {
    const ok = await runJob(ctx, { name: "rollup", data: { day: "2026-11-25" } });
    const failing = await runJob(ctx, { name: "data-quality", data: { day: "2026-11-25" } });
    const worker: Worker = createWorker(
      QUEUES.batch,
      async (job) => {
        await job.log(`working on ${String((job.data as { day: string }).day)}`);
        if (job.name === "data-quality") throw new UnrecoverableError("no quotes that day");
        await job.updateProgress(50);
        await job.updateProgress(100);
        return { written: 3 };
      },
      { connection: createRedis(config.redis.url, "worker", testLog), prefix: queuePrefix },
    );
    try {
      await eventually(
        async () => (await getJobCounts(ctx)).completed === 1 && (await getJobCounts(ctx)).failed === 1,
        "both jobs to finish",
      );
    } finally {
      await worker.close();
    }
    const completed = await listJobs(ctx, { state: "completed" });
    expect(completed.jobs[0]).toMatchObject({ id: ok.id, state: "completed", progressPct: 100, attemptsMade: 1 });
    expect(completed.jobs[0]?.durationMs).toBeGreaterThanOrEqual(0);
    const detail = await getJobDetail(ctx, ok.id);
    expect(detail).toMatchObject({ returnValue: { written: 3 }, logs: ["working on 2026-11-25"], logCount: 1 });

    const failed = await getJobDetail(ctx, failing.id);
    expect(failed).toMatchObject({ state: "failed", error: "no quotes that day" });
    await expect(retryJob(ctx, ok.id)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await retryJob(ctx, failing.id)).toEqual({ id: failing.id, state: "waiting" });

    expect(await removeJob(ctx, ok.id)).toEqual({ id: ok.id, removed: true });
    expect((await listJobs(ctx, { state: "completed" })).total).toBe(0);
  });

  it("lists the job schedulers with their cron and next run", async () => {
    await ctx.queue.upsertJobScheduler("daily-rollup", { pattern: "15 0 * * *", tz: "UTC" }, { name: "rollup", data: { day: "previous" } });
    const schedules = await listSchedules(ctx);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ key: "daily-rollup", name: "rollup", pattern: "15 0 * * *", data: { day: "previous" } });
    expect(schedules[0]?.nextAtMs).toBeGreaterThan(Date.now());
  });
});

describe("admin stream health", () => {
  it("reports lag per partition from the group's commits, tick rates and the DLQ size", async () => {
    await producer.send({
      topic: ctx.topics.trades,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: "IBM", value: `{"n":${i}}`, partition: 0 })),
    });
    await producer.send({
      topic: ctx.topics.quotes,
      messages: Array.from({ length: 4 }, () => ({ key: "IBM", value: "{}", partition: 1 })),
    });
    await kafkaAdmin.setOffsets({ groupId, topic: ctx.topics.trades, partitions: [{ partition: 0, offset: "7" }] });

    const health = await getStreamHealth(ctx);
    expect(health).toMatchObject({ groupId, members: [], dlq: { topic: ctx.topics.dlq, messages: 0 } });
    const lag = (topic: string, partition: number) => health.partitions.find((p) => p.topic === topic && p.partition === partition);
    expect(lag(ctx.topics.trades, 0)).toEqual({ topic: ctx.topics.trades, partition: 0, highOffset: 10, committedOffset: 7, lag: 3 });
    expect(lag(ctx.topics.quotes, 1)).toMatchObject({ committedOffset: null, lag: 4 });
    expect(health.partitions).toHaveLength(6);
    expect(health.totalLag).toBe(7);
    expect(health.rates).toMatchObject({ inPerSec: 0, outPerSec: 0 });
    expect(health.rates?.overMs).toBeGreaterThanOrEqual(900);

    await producer.send({
      topic: ctx.topics.trades,
      messages: Array.from({ length: 20 }, () => ({ key: "IBM", value: "{}", partition: 1 })),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const later = await getStreamHealth(ctx);
    expect(later.rates?.inPerSec).toBeGreaterThan(0);
    expect(later.rates?.outPerSec).toBe(0);
  });

  it("shows the latest DLQ records newest first with their reasons, without committing or leaving a group", async () => {
    const record = (i: number) =>
      JSON.stringify({
        topic: ctx.topics.trades,
        partition: 0,
        offset: String(i),
        raw: `{"price":-${i}}`,
        reason: `price: must be positive (${i})`,
        at: 1_764_000_000_000 + i,
      });
    await producer.send({
      topic: ctx.topics.dlq,
      messages: [...Array.from({ length: 60 }, (_, i) => ({ key: "IBM", value: record(i) })), { key: null, value: "not json" }],
    });

    const view = await readLatestDlq(ctx, 50);
    expect(view.total).toBe(61);
    expect(view.partial).toBe(false);
    expect(view.entries).toHaveLength(50);
    // The garbage value was written last, but is dated by its Kafka timestamp (now), so it sorts first.
    expect(view.entries[0]).toMatchObject({ reason: "not a DLQ record (value is not JSON)", raw: "not json", source: null });
    expect(view.entries[1]).toMatchObject({
      reason: "price: must be positive (59)",
      source: { topic: ctx.topics.trades, partition: 0, offset: "59" },
      key: "IBM",
    });
    expect(view.entries.at(-1)?.reason).toBe("price: must be positive (11)");

    expect((await getStreamHealth(ctx)).dlq.messages).toBe(61);
    const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId);
    expect(groups.filter((g) => g.startsWith(`${groupId}-admin-dlq-`))).toEqual([]);
    const committed = await kafkaAdmin.fetchOffsets({ groupId, topics: [ctx.topics.dlq] });
    expect(committed[0]?.partitions.every((p) => p.offset === "-1")).toBe(true);
  });
});

describe("admin archive browser", () => {
  it("shows an empty archive when the root does not exist", async () => {
    expect(await browseArchive(ctx, { kind: "trades" })).toMatchObject({ level: "days", days: [], truncated: false });
    expect(await browseArchive(ctx, { kind: "quotes", day: "2026-11-26" })).toMatchObject({ level: "symbols", symbols: [] });
  });

  it("walks days, symbols (rows from the manifest) and files", async () => {
    const dir = archiveSymbolDir("trades", "2026-11-26", "IBM", archiveRoot);
    const parquet = Buffer.from("PAR1 fake bytes PAR1");
    await ctx.hdfs.mkdirs(dir);
    await ctx.hdfs.create(`${dir}/part-0000.parquet`, parquet);
    const manifest = {
      version: 1,
      kind: "trades",
      day: "2026-11-26",
      symbol: "IBM",
      file: "part-0000.parquet",
      rows: 1234,
      bytes: parquet.length,
      minTs: 1,
      maxTs: 2,
      sha256: "a".repeat(64),
      writtenAtMs: 3,
      jobId: "42",
    };
    await ctx.hdfs.create(`${dir}/_manifest.json`, JSON.stringify(manifest));
    // A symbol whose archive is still being written: no manifest yet.
    await ctx.hdfs.mkdirs(archiveSymbolDir("trades", "2026-11-26", "MSFT", archiveRoot));

    const days = await browseArchive(ctx, { kind: "trades" });
    expect(days).toMatchObject({ level: "days", days: [{ day: "2026-11-26" }] });
    const symbols = await browseArchive(ctx, { kind: "trades", day: "2026-11-26" });
    expect(symbols).toMatchObject({
      level: "symbols",
      symbols: [
        { symbol: "IBM", rows: 1234, bytes: parquet.length, manifestError: null },
        { symbol: "MSFT", rows: null, manifestError: "no manifest yet" },
      ],
    });
    const files = await browseArchive(ctx, { kind: "trades", day: "2026-11-26", symbol: "IBM" });
    expect(files).toMatchObject({ level: "files", manifest, manifestError: null });
    expect(files.level === "files" && files.files.map((f) => [f.name, f.bytes])).toEqual([
      ["part-0000.parquet", parquet.length],
      ["_manifest.json", JSON.stringify(manifest).length],
    ]);
  });
});

describe("admin models view", () => {
  it("lists every symbol with its newest model version, or none, even a version whose params do not parse", async () => {
    await client.execute(`INSERT INTO ${keyspace}.symbols (symbol) VALUES (?)`, ["IBM"], { prepare: true });
    await client.execute(`INSERT INTO ${keyspace}.symbols (symbol) VALUES (?)`, ["AAPL"], { prepare: true });
    const insert = `INSERT INTO ${keyspace}.vol_models (symbol, version, model, params, trained_at, job_id, train_from, train_to, n_obs, r2, in_sample_qlike, naive_qlike) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    for (const [version, r2] of [
      [1_700_000_000_000, 0.31],
      [1_764_000_000_000, 0.42],
    ] as const) {
      await client.execute(
        insert,
        [
          "IBM",
          version,
          "har-rv",
          '{"beta":[0.1,0.4]}',
          new Date(version),
          "7",
          new Date(Date.UTC(2023, 0, 1)),
          new Date(Date.UTC(2025, 11, 31)),
          750,
          r2,
          1.1,
          1.3,
        ],
        { prepare: true },
      );
    }
    await client.execute(insert, ["MSFT", 5, "har-rv", "{oops", new Date(5), null, null, null, 3, null, null, null], { prepare: true });
    const view = await listVolModels({ ...createQueryStores(client, keyspace), nowMs: Date.now });
    expect(view.withModel).toBe(2);
    expect(view.truncated).toBe(false);
    expect(view.symbols).toEqual([
      { symbol: "AAPL", latest: null },
      {
        symbol: "IBM",
        latest: {
          version: "1764000000000",
          model: "har-rv",
          trainedAtMs: 1_764_000_000_000,
          jobId: "7",
          trainFromMs: Date.UTC(2023, 0, 1),
          trainToMs: Date.UTC(2025, 11, 31),
          nObs: 750,
          r2: 0.42,
          inSampleQlike: 1.1,
          naiveQlike: 1.3,
          params: { beta: [0.1, 0.4] },
        },
      },
      {
        symbol: "MSFT",
        latest: {
          version: "5",
          model: "har-rv",
          trainedAtMs: 5,
          jobId: null,
          trainFromMs: null,
          trainToMs: null,
          nObs: 3,
          r2: null,
          inSampleQlike: null,
          naiveQlike: null,
          params: null,
        },
      },
    ]);
  });
});

describe("admin data-quality view", () => {
  it("shows a day's reports worst first with totals, defaults to yesterday and names a bad day", async () => {
    const store = createCassandraStore(client, keyspace);
    const emptyReport = (symbol: string, day: string) => emitDataQuality(createDataQualityState(symbol, day));
    const clean = { ...emptyReport("AAA", "2013-10-07"), tradeCount: 100, quoteCount: 300 };
    const noisy = {
      ...emptyReport("ZZZ", "2013-10-07"),
      tradeCount: 50,
      quoteCount: 90,
      gapCount: 2,
      longestGapMs: 600_000,
      crossedQuotes: 3,
    };
    await store.writeDataQuality([clean, noisy], Date.now());
    const view = await getDataQuality(ctx, { day: "2013-10-07" });
    expect(view.reports.map((r) => r.symbol)).toEqual(["ZZZ", "AAA"]);
    expect(view.reports[0]).toMatchObject({ gapCount: 2, longestGapMs: 600_000, crossedQuotes: 3 });
    expect(view.totals).toEqual({
      symbols: 2,
      trades: 150,
      gaps: 2,
      duplicateTradeIds: 0,
      outlierTrades: 0,
      crossedQuotes: 3,
      tradesWithoutQuote: 0,
    });

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await getDataQuality(ctx, {})).day).toBe(yesterday);
    const refused = await getDataQuality(ctx, { day: "07/10/2013" }).catch((error: unknown) => error);
    expect(toAppError(refused)).toMatchObject({ code: "BAD_REQUEST", fields: { day: ["must be YYYY-MM-DD"] } });
  });
});
