// The `archive` job: a closed UTC day's raw trades and quotes, per symbol, paged out of Cassandra
// into one Parquet file each on HDFS plus its manifest, staged under /tickstream/_tmp and renamed
// into /tickstream/<kind>/date=D/symbol=S atomically (adapters/hdfs-archive publishDirectory).
// Re-running replaces each directory whole; readers never see a half-written file.
import { randomUUID } from "node:crypto";
import { UnrecoverableError, type Job } from "bullmq";
import { publishDirectory, writeManifest, writeParquetFile } from "../../adapters/hdfs-archive";
import type { WebHdfsClient } from "../../adapters/hdfs";
import { buildManifest, type ArchivedRow } from "../../core/archive";
import {
  ARCHIVE_DATA_FILE,
  ARCHIVE_ROOT,
  archiveStagingName,
  archiveStagingPrefix,
  archiveSymbolDir,
  archiveTmpRoot,
} from "../../core/archive-layout";
import { archivePayloadSchema, type ArchiveKind, type ArchiveResult } from "../../core/batch-jobs";
import { INTERVAL_MS } from "../../core/intervals";
import { dayStartMs } from "../../core/rollup";
import { forEachSymbol, parsePayload, resolveDay, type BatchDeps } from "./job-context";

/** The job's HDFS, or an unrecoverable failure when the worker was started without one. */
export function archiveDeps(deps: BatchDeps, jobName: string): { hdfs: WebHdfsClient; root: string } {
  if (deps.archive === undefined) throw new UnrecoverableError(`${jobName}: this batch worker has no HDFS configured`);
  return { hdfs: deps.archive.hdfs, root: deps.archive.root ?? ARCHIVE_ROOT };
}

/** Runs one archive job; returns how many symbols, files, rows and bytes it archived. */
export async function runArchive(deps: BatchDeps, job: Job): Promise<ArchiveResult> {
  const payload = parsePayload(job, archivePayloadSchema);
  const { hdfs, root } = archiveDeps(deps, job.name);
  const day = await resolveDay(job as Job<{ day: string }>, payload.day);
  const start = dayStartMs(day);
  const end = start + INTERVAL_MS["1d"];
  // An open day would be archived without its last ticks: the archive is of closed days only.
  if (deps.nowMs() < end) throw new UnrecoverableError(`archive: ${day} is not over yet (UTC)`);
  const symbols = payload.symbols ?? (await deps.store.symbolsSeenBetween(start, end));
  const kinds = [...new Set(payload.kinds)];

  // Staging is per attempt; an attempt killed mid-way left its own staging dir (and maybe an old
  // copy moved aside): clear every earlier attempt of this job before starting.
  const jobKey = `archive-${job.id ?? "noid"}`;
  const tmpRoot = archiveTmpRoot(root);
  await clearStaging(hdfs, tmpRoot, jobKey);
  const staging = `${tmpRoot}/${archiveStagingName(jobKey, randomUUID())}`;
  await job.log(`archive ${day}: ${kinds.join(", ")} of ${symbols.length} symbol(s) into ${root}, staging ${staging}`);

  const result: ArchiveResult = { day, symbols: 0, files: 0, rows: 0, bytes: 0 };
  let lastProgressMs = 0;
  await forEachSymbol(deps, job, symbols, async (symbol) => {
    const parts: string[] = [];
    for (const kind of kinds) {
      const stagedDir = `${staging}/${kind}/symbol=${symbol}`;
      const rows: AsyncIterable<ArchivedRow<ArchiveKind>> =
        kind === "trades" ? deps.store.eachTradeRow(symbol, day) : deps.store.eachQuoteRow(symbol, day);
      const written = await writeParquetFile(hdfs, `${stagedDir}/${ARCHIVE_DATA_FILE}`, kind, rows, {
        onRows: (n) => {
          // Long symbol-days still show life in the job log, at most every few seconds.
          const nowMs = deps.nowMs();
          if (nowMs - lastProgressMs < 5_000) return;
          lastProgressMs = nowMs;
          void job
            .log(`${symbol} ${kind}: ${n} rows so far`)
            .catch((error: unknown) => deps.log.warn({ err: error, jobId: job.id }, "job log line failed"));
        },
      });
      const manifest = buildManifest({
        kind,
        day,
        symbol,
        file: ARCHIVE_DATA_FILE,
        stats: written.stats,
        bytes: written.bytes,
        sha256: written.sha256,
        writtenAtMs: deps.nowMs(),
        ...(job.id !== undefined ? { jobId: job.id } : {}),
      });
      await writeManifest(hdfs, stagedDir, manifest);
      const { replaced } = await publishDirectory(
        hdfs,
        stagedDir,
        archiveSymbolDir(kind, day, symbol, root),
        `${staging}/_replaced/${kind}/symbol=${symbol}`,
      );
      result.files += 1;
      result.rows += manifest.rows;
      result.bytes += manifest.bytes;
      parts.push(`${kind} ${manifest.rows} rows ${manifest.bytes} B${replaced ? " (replaced)" : ""}`);
    }
    result.symbols += 1;
    return parts.join(", ");
  });
  await hdfs.delete(staging, { recursive: true });
  deps.log.info({ jobId: job.id, ...result }, "archive done");
  return result;
}

async function clearStaging(hdfs: WebHdfsClient, tmpRoot: string, jobKey: string): Promise<void> {
  if ((await hdfs.status(tmpRoot)) === undefined) return;
  const prefix = archiveStagingPrefix(jobKey);
  for (const entry of await hdfs.list(tmpRoot)) {
    if (entry.pathSuffix.startsWith(prefix)) await hdfs.delete(`${tmpRoot}/${entry.pathSuffix}`, { recursive: true });
  }
}
