// The HDFS side of the tick archive: streams rows into a Parquet file (hashing the bytes as they
// go), publishes a staged directory atomically, and reads a published file back after checking
// it against its manifest. Memory is bounded by a row group plus one upload chunk.
import { createHash } from "node:crypto";
import { ARCHIVE_MANIFEST_FILE, type ArchiveManifest } from "../core/archive-layout";
import {
  addToManifestStats,
  emptyManifestStats,
  manifestMismatches,
  parseManifest,
  toColumns,
  fromRecord,
  type ArchivedRow,
  type ManifestStats,
} from "../core/archive";
import type { ArchiveKind } from "../core/batch-jobs";
import { WebHdfsError, type WebHdfsClient } from "./hdfs";
import { createParquetStreamWriter, readParquetRowGroups } from "./parquet";

/** Rows per Parquet row group: bounds the writer's and the reader's memory (~a few MB). */
export const ARCHIVE_ROW_GROUP_ROWS = 20_000;
/** Bytes gathered before one WebHDFS call (create, then appends): a symbol-day is usually one call. */
const UPLOAD_CHUNK_BYTES = 8 << 20;

export type WrittenFile = { bytes: number; sha256: string; stats: ManifestStats };

/**
 * Writes `rows` as a Parquet file at `path` (replacing a file there), row group by row group, and
 * returns its size, SHA-256 and row stats. An empty `rows` gives a valid file with no row group.
 */
export async function writeParquetFile<K extends ArchiveKind>(
  hdfs: WebHdfsClient,
  path: string,
  kind: K,
  rows: AsyncIterable<ArchivedRow<K>>,
  { rowGroupRows = ARCHIVE_ROW_GROUP_ROWS, onRows }: { rowGroupRows?: number; onRows?: (rows: number) => void } = {},
): Promise<WrittenFile> {
  const hash = createHash("sha256");
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let created = false;
  const upload = async () => {
    const body = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    if (created) await hdfs.append(path, body);
    else await hdfs.create(path, body, { overwrite: true });
    created = true;
  };
  const writer = createParquetStreamWriter(kind, async (chunk) => {
    hash.update(chunk);
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
    if (pendingBytes >= UPLOAD_CHUNK_BYTES) await upload();
  });
  const stats = emptyManifestStats();
  let group: ArchivedRow<K>[] = [];
  for await (const row of rows) {
    addToManifestStats(stats, row.ts);
    group.push(row);
    if (group.length >= rowGroupRows) {
      await writer.writeRowGroup(toColumns(kind, group));
      group = [];
      onRows?.(stats.rows);
    }
  }
  await writer.writeRowGroup(toColumns(kind, group));
  const bytes = await writer.finish();
  if (pendingBytes > 0 || !created) await upload();
  onRows?.(stats.rows);
  return { bytes, sha256: hash.digest("hex"), stats };
}

/** Writes a manifest as `_manifest.json` into `dir`. */
export async function writeManifest(hdfs: WebHdfsClient, dir: string, manifest: ArchiveManifest): Promise<void> {
  await hdfs.create(`${dir}/${ARCHIVE_MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`, { overwrite: true });
}

/**
 * Moves the complete staged directory `staged` to `target`, replacing what is there. HDFS rename is
 * atomic but never overwrites a non-empty directory (and a plain rename onto an existing directory
 * would move the source INTO it), so an existing `target` is first renamed aside to `aside`, then
 * `staged` is renamed in (renameoptions=NONE: fails rather than nest if someone else got there
 * first), then the old copy is deleted. A reader therefore sees the old complete directory, no
 * directory for the moment between the two renames, or the new complete one; never a partial file
 * nor a new Parquet file with an old manifest. A crash in between leaves `target` absent and the old
 * copy under the job's staging dir, which the retried job clears and rewrites.
 */
export async function publishDirectory(hdfs: WebHdfsClient, staged: string, target: string, aside: string): Promise<{ replaced: boolean }> {
  const parent = target.slice(0, target.lastIndexOf("/"));
  await hdfs.mkdirs(parent);
  let replaced = false;
  if ((await hdfs.status(target)) !== undefined) {
    await hdfs.mkdirs(aside.slice(0, aside.lastIndexOf("/")));
    if (!(await hdfs.rename(target, aside, { failIfExists: true }))) throw new Error(`could not move ${target} aside to ${aside}`);
    replaced = true;
  }
  try {
    if (!(await hdfs.rename(staged, target, { failIfExists: true }))) throw new Error(`could not rename ${staged} to ${target}`);
  } catch (error) {
    if (error instanceof WebHdfsError && error.exception === "FileAlreadyExistsException") {
      throw new Error(`${target} was published by someone else while this job replaced it (two archive jobs for one day at once?)`, {
        cause: error,
      });
    }
    throw error;
  }
  if (replaced) await hdfs.delete(aside, { recursive: true });
  return { replaced };
}

/** The manifest in `dir`, or undefined when the directory has none (not archived). */
export async function readManifest(hdfs: WebHdfsClient, dir: string): Promise<ArchiveManifest | undefined> {
  const path = `${dir}/${ARCHIVE_MANIFEST_FILE}`;
  try {
    return parseManifest((await hdfs.open(path)).toString("utf8"), path);
  } catch (error) {
    if (error instanceof WebHdfsError && error.status === 404) return undefined;
    throw error;
  }
}

/** Thrown when an archived file disagrees with its manifest: retrying cannot help. */
export class ArchiveIntegrityError extends Error {
  constructor(path: string, problems: readonly string[]) {
    super(`${path} does not match its manifest: ${problems.join("; ")}`);
    this.name = "ArchiveIntegrityError";
  }
}

/** SHA-256 and size of a file, streamed. */
export async function hashFile(hdfs: WebHdfsClient, path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of hdfs.stream(path)) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * The archived rows in `dir`, one row group at a time, after the file's bytes were checked against
 * the manifest (size, SHA-256); once all rows are read, their count and ts range are checked too.
 * Throws ArchiveIntegrityError on any mismatch.
 */
export async function* readArchivedRows<K extends ArchiveKind>(
  hdfs: WebHdfsClient,
  dir: string,
  kind: K,
  manifest: ArchiveManifest,
): AsyncGenerator<ArchivedRow<K>[]> {
  const path = `${dir}/${manifest.file}`;
  if (manifest.kind !== kind) throw new ArchiveIntegrityError(path, [`manifest is for ${manifest.kind}, expected ${kind}`]);
  const bytes = await hashFile(hdfs, path);
  const byteProblems = manifestMismatches(manifest, bytes);
  if (byteProblems.length > 0) throw new ArchiveIntegrityError(path, byteProblems);
  const stats = emptyManifestStats();
  const source = { byteLength: bytes.bytes, read: (offset: number, length: number) => hdfs.read(path, offset, length) };
  for await (const records of readParquetRowGroups(source)) {
    const rows = records.map((r) => fromRecord(kind, r));
    for (const row of rows) addToManifestStats(stats, row.ts);
    yield rows;
  }
  const rowProblems = manifestMismatches(manifest, { stats });
  if (rowProblems.length > 0) throw new ArchiveIntegrityError(path, rowProblems);
}
