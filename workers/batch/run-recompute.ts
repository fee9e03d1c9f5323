// The `recompute` job: for symbols × days, checks the archived files against their manifests (a
// mismatch fails without retries), folds the trades with the stream's own aggregator and
// indicators (core/recompute) and upserts the 1s/1m/5m/1h candles; idempotent. Candles do not
// depend on quotes (the NBBO join only feeds trade rows and spreads): quote files are verified only.
import { UnrecoverableError, type Job } from "bullmq";
import type { CandleRow } from "../../adapters/cassandra-store";
import { ArchiveIntegrityError, hashFile, readArchivedRows, readManifest } from "../../adapters/hdfs-archive";
import type { WebHdfsClient } from "../../adapters/hdfs";
import { readParquetMetadata } from "../../adapters/parquet";
import { manifestMismatches } from "../../core/archive";
import { archiveSymbolDir, type ArchiveManifest } from "../../core/archive-layout";
import { recomputePayloadSchema, type RecomputeResult } from "../../core/batch-jobs";
import { INDICATOR_HISTORY, type IndicatorHistoryItem } from "../../core/indicators";
import { INTERVAL_MS, windowStart } from "../../core/intervals";
import {
  addArchivedTrade,
  createDayRecompute,
  daysBetween,
  finishDayRecompute,
  RECOMPUTE_INDICATOR_INTERVAL,
  type RecomputedCandle,
} from "../../core/recompute";
import { dayStartMs } from "../../core/rollup";
import { forEachSymbol, parsePayload, type BatchDeps } from "./job-context";
import { archiveDeps } from "./run-archive";

/** Candle rows written per round trip (bounds what waits in memory). */
const WRITE_CHUNK = 2_000;
/** How far back the indicator history is looked for when the symbol's first sighting is unknown. */
const HISTORY_FALLBACK_DAYS = 14;

/** Runs one recompute job; returns the symbols, days, trades and candles it covered. */
export async function runRecompute(deps: BatchDeps, job: Job): Promise<RecomputeResult> {
  const payload = parsePayload(job, recomputePayloadSchema);
  const { hdfs, root } = archiveDeps(deps, job.name);
  const days = daysBetween(payload.from, payload.to);
  await job.log(`recompute ${payload.from}..${payload.to} (${days.length} day(s)) of ${payload.symbols.length} symbol(s) from ${root}`);
  const result: RecomputeResult = {
    from: payload.from,
    to: payload.to,
    symbols: payload.symbols.length,
    days: days.length,
    trades: 0,
    candles: 0,
    missing: 0,
  };
  await forEachSymbol(deps, job, payload.symbols, async (symbol) => {
    const parts: string[] = [];
    for (const day of days) {
      try {
        const done = await recomputeDay(deps, hdfs, root, symbol, day);
        if (done === undefined) {
          result.missing += 1;
          parts.push(`${day} not archived`);
          continue;
        }
        result.trades += done.trades;
        result.candles += done.candles;
        parts.push(`${day} ${done.trades} trades → ${done.candles} candles${done.quotesVerified ? "" : " (no quotes archive)"}`);
      } catch (error) {
        // A corrupt or tampered archive stays corrupt: retrying cannot help.
        if (error instanceof ArchiveIntegrityError) throw new UnrecoverableError(error.message);
        throw error;
      }
    }
    return parts.join(", ");
  });
  deps.log.info({ jobId: job.id, ...result }, "recompute done");
  return result;
}

/** Recomputes one symbol-day; undefined when the day has no trades archive. */
async function recomputeDay(
  deps: BatchDeps,
  hdfs: WebHdfsClient,
  root: string,
  symbol: string,
  day: string,
): Promise<{ trades: number; candles: number; quotesVerified: boolean } | undefined> {
  const tradesDir = archiveSymbolDir("trades", day, symbol, root);
  const quotesDir = archiveSymbolDir("quotes", day, symbol, root);
  const tradesManifest = await readManifest(hdfs, tradesDir);
  if (tradesManifest === undefined) return undefined;
  const quotesManifest = await readManifest(hdfs, quotesDir);
  if (quotesManifest !== undefined) await verifyFile(hdfs, quotesDir, quotesManifest);

  const startMs = dayStartMs(day);
  const state = createDayRecompute({ symbol, dayStartMs: startMs, indicatorHistory: await indicatorHistory(deps, symbol, startMs) });
  let pending: CandleRow[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await deps.store.writeCandles(pending, deps.nowMs());
    pending = [];
  };
  const take = async (candles: readonly RecomputedCandle[]) => {
    // sourcePartition/lastOffset undefined bind as "unset": the stream's restart bookkeeping stays.
    for (const c of candles)
      pending.push({
        candle: c.candle,
        isFinal: true,
        sourcePartition: undefined,
        lastOffset: undefined,
        ...(c.indicators ? { indicators: c.indicators } : {}),
      });
    if (pending.length >= WRITE_CHUNK) await flush();
  };
  for await (const rows of readArchivedRows(hdfs, tradesDir, "trades", tradesManifest)) {
    for (const trade of rows) await take(addArchivedTrade(state, trade));
  }
  await take(finishDayRecompute(state));
  await flush();
  return { trades: state.trades, candles: state.candles, quotesVerified: quotesManifest !== undefined };
}

/** Checks a file's bytes and row count against its manifest without decoding it. */
async function verifyFile(hdfs: WebHdfsClient, dir: string, manifest: ArchiveManifest): Promise<void> {
  const path = `${dir}/${manifest.file}`;
  const bytes = await hashFile(hdfs, path);
  const problems = manifestMismatches(manifest, bytes);
  if (problems.length === 0) {
    const metadata = await readParquetMetadata({ byteLength: bytes.bytes, read: (offset, length) => hdfs.read(path, offset, length) });
    if (Number(metadata.num_rows) !== manifest.rows) problems.push(`${metadata.num_rows} rows, manifest says ${manifest.rows}`);
  }
  if (problems.length > 0) throw new ArchiveIntegrityError(path, problems);
}

/**
 * The symbol's newest final 1m candles before the day, oldest first: what the stream restores its
 * indicators from, so the recomputed day's indicators continue from the same state.
 */
async function indicatorHistory(deps: BatchDeps, symbol: string, startMs: number): Promise<IndicatorHistoryItem[]> {
  const [firstSeenMs] = await deps.store.readSymbolsFirstSeen([symbol]);
  const fromMs =
    firstSeenMs !== undefined
      ? windowStart(firstSeenMs, RECOMPUTE_INDICATOR_INTERVAL)
      : startMs - HISTORY_FALLBACK_DAYS * INTERVAL_MS["1d"];
  if (fromMs >= startMs) return [];
  const stored = await deps.store.getCandles(symbol, RECOMPUTE_INDICATOR_INTERVAL, fromMs, startMs - 1, INDICATOR_HISTORY);
  return stored
    .filter((s) => s.isFinal)
    .reverse()
    .map((s) => ({ windowStart: s.candle.windowStart, close: s.candle.close, ema20: s.indicators.ema20, ema50: s.indicators.ema50 }));
}
