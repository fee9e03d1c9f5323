// Where the HDFS archive keeps each closed day's raw ticks, and the manifest written next to every
// Parquet file. Hive-style `date=`/`symbol=` directories so any Parquet reader can prune by path.
import { z } from "zod";
import { ARCHIVE_KINDS, type ArchiveKind } from "./batch-jobs";
import { symbolSchema } from "./schemas";

export const ARCHIVE_ROOT = "/tickstream";
export const ARCHIVE_DATA_FILE = "part-0000.parquet";
export const ARCHIVE_MANIFEST_FILE = "_manifest.json";

/** `/tickstream/<kind>`: one directory per day below it. */
export function archiveKindDir(kind: ArchiveKind, root = ARCHIVE_ROOT): string {
  return `${root}/${kind}`;
}

/** `/tickstream/<kind>/date=YYYY-MM-DD`: one directory per symbol below it. */
export function archiveDayDir(kind: ArchiveKind, day: string, root = ARCHIVE_ROOT): string {
  return `${archiveKindDir(kind, root)}/date=${day}`;
}

/** `/tickstream/<kind>/date=YYYY-MM-DD/symbol=SYM`: holds the Parquet file and its manifest. */
export function archiveSymbolDir(kind: ArchiveKind, day: string, symbol: string, root = ARCHIVE_ROOT): string {
  return `${archiveDayDir(kind, day, root)}/symbol=${symbol}`;
}

/** The value of a `key=value` directory name, or undefined when `name` is not one for `key`. */
export function partitionValue(name: string, key: "date" | "symbol"): string | undefined {
  return name.startsWith(`${key}=`) ? name.slice(key.length + 1) : undefined;
}

/** The manifest of one archived Parquet file (`_manifest.json`), written after the file is complete. */
export const archiveManifestSchema = z.strictObject({
  version: z.literal(1),
  kind: z.enum(ARCHIVE_KINDS),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  symbol: symbolSchema,
  file: z.string().min(1),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  /** Event-time range of the rows, epoch ms; null for an empty day. */
  minTs: z.number().int().nullable(),
  maxTs: z.number().int().nullable(),
  /** Hex SHA-256 of the Parquet file's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  writtenAtMs: z.number().int(),
  jobId: z.string().optional(),
});
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;

/** Where archive jobs stage files before the atomic rename into place (outside every kind's tree). */
export function archiveTmpRoot(root = ARCHIVE_ROOT): string {
  return `${root}/_tmp`;
}

/**
 * The staging directory name of one attempt of one job, `<job>-<attempt>`. HDFS refuses ":" in
 * names (BullMQ scheduler job ids have them), so anything but [A-Za-z0-9_.-] becomes "_".
 */
export function archiveStagingName(jobKey: string, attempt: string): string {
  return `${archiveStagingPrefix(jobKey)}${attempt.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** The prefix every staging directory of `jobKey` starts with (to clear a killed attempt's leftovers). */
export function archiveStagingPrefix(jobKey: string): string {
  return `${jobKey.replace(/[^A-Za-z0-9_.-]/g, "_")}-`;
}
