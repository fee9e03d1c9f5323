// npm run bench:batch — archive and recompute rates on a day of real ticks: the IBM 2013-10-07
// LEAN trade and quote files (24,293 trades, 109,063 valid quotes; trades joined with the consolidated
// NBBO as the stream does) loaded into a keyspace of its own, also under `--copies` more symbol
// names (the same real ticks, renamed), then an `archive` job (Cassandra → Parquet on HDFS) and a
// `recompute` job (HDFS → candles 1s/1m/5m/1h) run on a real BullMQ worker; prints rows/s.
// Everything it creates (keyspace, HDFS root, queue prefix) is removed at the end.
import { parseArgs } from "node:util";
import type { Job } from "bullmq";
import { connectCassandra } from "../adapters/cassandra";
import { createCassandraStore, type QuoteRow, type TradeRow } from "../adapters/cassandra-store";
import { getConfig } from "../adapters/config";
import { WebHdfsClient } from "../adapters/hdfs";
import { createLogger } from "../adapters/logger";
import { marketDataFile } from "../adapters/market-data";
import { createQueue, createQueueEvents, isCancelRequested, QUEUES } from "../adapters/queues";
import { createRedis } from "../adapters/redis";
import type { ArchivePayload, ArchiveResult, RecomputePayload, RecomputeResult } from "../core/batch-jobs";
import { applyQuote, createQuoteBook, joinTrade } from "../core/quote-book";
import { migrate } from "../db/migrations";
import { servicesUp } from "../infra/services";
import { progress } from "../infra/progress";
import { describeSource, mergedTicks } from "../workers/feeds/replay-files";
import { startBatchWorker } from "../workers/batch/start-batch-worker";

const { values: args } = parseArgs({ options: { copies: { type: "string", default: "2" } } });
const COPIES = Number(args.copies);
const DAY = "2013-10-07";
const FILES = ["20131007_ibm_Trade_Tick.csv", "20131007_ibm_Quote_Tick.csv"].map((f) =>
  marketDataFile(getConfig().marketDataDir, `lean_equity_tick/${f}`),
);
const RUN = `bench_batch_${Date.now().toString(36)}`;

const config = getConfig();
const log = createLogger("bench-batch");
await servicesUp();
const connect = (ks?: string) =>
  connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    ...(ks ? { keyspace: ks } : {}),
    log,
  });
await migrate(connect, RUN, { class: "SimpleStrategy", replication_factor: 1 });
const client = await connect();
const store = createCassandraStore(client, RUN);
const hdfs = new WebHdfsClient({ baseUrl: config.hdfs.webhdfsUrl, user: config.hdfs.user });
const root = `/${RUN}`;
const redis = createRedis(config.redis.url, "worker", log);
const ctx = { connection: redis, prefix: RUN };
const queue = createQueue(QUEUES.batch, ctx);
const events = createQueueEvents(QUEUES.batch, ctx);

try {
  // 1. Load: the real day, merged by event time, trades joined with the NBBO like the stream worker.
  const symbols = ["IBM", ...Array.from({ length: COPIES }, (_, i) => `IBM${i + 1}`)];
  const load = progress("load");
  const book = createQuoteBook({ venueMode: "consolidated" });
  let trades: TradeRow[] = [];
  let quotes: QuoteRow[] = [];
  let loaded = 0;
  let offset = 0;
  const flush = async () => {
    const copies = (rows: readonly { symbol: string }[]) => symbols.flatMap((symbol) => rows.map((r) => ({ ...r, symbol })));
    await Promise.all([store.writeTrades(copies(trades) as TradeRow[]), store.writeQuotes(copies(quotes) as QuoteRow[])]);
    loaded += (trades.length + quotes.length) * symbols.length;
    trades = [];
    quotes = [];
    load.update(`${loaded.toLocaleString("en-US")} rows into Cassandra`);
  };
  for (const t of mergedTicks(FILES.map((f) => describeSource(f)))) {
    if (t.kind === "quotes") {
      applyQuote(book, t.tick);
      quotes.push({ ...t.tick, sourcePartition: 0, sourceOffset: String(offset++) });
    } else {
      const join = joinTrade(book, t.tick, { toleranceMs: config.stream.joinToleranceMs });
      trades.push(
        join.noQuote
          ? { ...t.tick, side: join.side }
          : { ...t.tick, bid: join.bid, ask: join.ask, side: join.side, effectiveSpread: join.effectiveSpread },
      );
    }
    if (trades.length + quotes.length >= 5_000) await flush();
  }
  await flush();
  const firstSeen = Date.parse(`${DAY}T00:00:00Z`);
  await store.writeSymbolsSeen(symbols.map((symbol) => ({ symbol, firstSeenMs: firstSeen, lastSeenMs: firstSeen + 86_399_999 })));
  load.done(`${loaded.toLocaleString("en-US")} rows (${symbols.length} symbols × ${(loaded / symbols.length).toLocaleString("en-US")})`);

  // 2. A batch worker of its own on the same machine, as in production.
  const worker = startBatchWorker(
    ctx,
    {
      store,
      log,
      isCancelled: (jobId) => isCancelRequested(redis, QUEUES.batch, jobId, RUN),
      nowMs: Date.now,
      dataQuality: { gapThresholdMs: 60_000, outlierSpreads: 3, quoteToleranceMs: 60_000 },
      archive: { hdfs, root },
    },
    { concurrency: 1, lockDurationMs: 60_000, stalledIntervalMs: 30_000 },
  );
  await events.waitUntilReady();

  const run = async <R>(label: string, name: string, data: ArchivePayload | RecomputePayload): Promise<{ result: R; seconds: number }> => {
    const bar = progress(label);
    const startedMs = Date.now();
    const job: Job = await queue.add(name, data, { attempts: 1 });
    const timer = setInterval(() => {
      void Promise.all([job.getState(), queue.getJob(job.id ?? "").then((j) => j?.progress), queue.getJobLogs(job.id ?? "", -1)]).then(
        ([state, pct, logs]) => bar.update(`${state} ${typeof pct === "number" ? pct : 0}% — ${logs.logs.at(-1) ?? ""}`),
        (error: unknown) => log.warn({ err: error }, "progress poll failed"),
      );
    }, 500);
    try {
      const result = (await job.waitUntilFinished(events, 30 * 60_000)) as R;
      const seconds = (Date.now() - startedMs) / 1000;
      bar.done(`${JSON.stringify(result)} in ${seconds.toFixed(1)} s`);
      return { result, seconds };
    } finally {
      clearInterval(timer);
    }
  };

  const archive = await run<ArchiveResult>("archive", "archive", { day: DAY });
  const recompute = await run<RecomputeResult>("recompute", "recompute", { symbols, from: DAY, to: DAY });
  await worker.close();

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString("en-US");
  console.log(
    `\narchive:   ${archive.result.rows.toLocaleString("en-US")} rows (trades + quotes), ${(archive.result.bytes / 1_048_576).toFixed(1)} MiB Parquet in ${archive.result.files} files, ` +
      `${archive.seconds.toFixed(1)} s → ${rate(archive.result.rows, archive.seconds)} rows/s`,
  );
  console.log(
    `recompute: ${recompute.result.trades.toLocaleString("en-US")} trades (quote files verified) → ${recompute.result.candles.toLocaleString("en-US")} candles, ` +
      `${recompute.seconds.toFixed(1)} s → ${rate(recompute.result.trades, recompute.seconds)} trades/s, ${rate(recompute.result.candles, recompute.seconds)} candles/s`,
  );
} finally {
  await queue.obliterate({ force: true }).catch((error: unknown) => log.warn({ err: error }, "obliterating the bench queue"));
  await queue.close();
  await events.close();
  redis.disconnect();
  await hdfs.delete(root, { recursive: true }).catch((error: unknown) => log.warn({ err: error }, "deleting the bench archive"));
  await client.execute(`DROP KEYSPACE IF EXISTS ${RUN}`).catch((error: unknown) => log.warn({ err: error }, "dropping the bench keyspace"));
  await client.shutdown();
}
