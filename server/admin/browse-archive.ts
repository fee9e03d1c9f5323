// The HDFS archive browser: days of a kind, the symbols of a day (with the row counts of their
// manifests), the files of a symbol. Follows core/archive-layout; a missing directory (no archive
// run yet) is an empty listing, not an error. Listings are capped.
import { z } from "zod";
import { WebHdfsError, type HdfsFileStatus } from "../../adapters/hdfs";
import {
  ARCHIVE_DATA_FILE,
  ARCHIVE_MANIFEST_FILE,
  archiveDayDir,
  archiveKindDir,
  archiveManifestSchema,
  archiveSymbolDir,
  partitionValue,
  type ArchiveManifest,
} from "../../core/archive-layout";
import { ARCHIVE_KINDS } from "../../core/batch-jobs";
import { symbolSchema } from "../../core/schemas";
import { mapConcurrent } from "../../core/concurrency";
import type { AdminContext } from "./admin-context";

export const MAX_ARCHIVE_ENTRIES = 500;
const MANIFEST_CONCURRENCY = 8;

export const browseArchiveInput = z.object({
  kind: z.enum(ARCHIVE_KINDS).default("trades"),
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .optional(),
  symbol: symbolSchema.optional(),
});

export interface ArchiveDay {
  day: string;
  modifiedAtMs: number;
}

export interface ArchiveSymbol {
  symbol: string;
  /** From the manifest; null when it is missing or unreadable (an archive still being written). */
  rows: number | null;
  bytes: number | null;
  manifestError: string | null;
}

export interface ArchiveFile {
  name: string;
  bytes: number;
  modifiedAtMs: number;
}

export type ArchiveListing =
  | { level: "days"; kind: string; path: string; days: ArchiveDay[]; truncated: boolean }
  | { level: "symbols"; kind: string; day: string; path: string; symbols: ArchiveSymbol[]; truncated: boolean }
  | {
      level: "files";
      kind: string;
      day: string;
      symbol: string;
      path: string;
      files: ArchiveFile[];
      manifest: ArchiveManifest | null;
      manifestError: string | null;
    };

/** LISTSTATUS, with a missing directory as an empty one. */
async function listDir(ctx: AdminContext, path: string): Promise<HdfsFileStatus[]> {
  try {
    return await ctx.hdfs.list(path);
  } catch (error) {
    if (error instanceof WebHdfsError && error.status === 404) return [];
    throw error;
  }
}

async function readManifest(ctx: AdminContext, dir: string): Promise<{ manifest: ArchiveManifest | null; error: string | null }> {
  let text: string;
  try {
    text = (await ctx.hdfs.open(`${dir}/${ARCHIVE_MANIFEST_FILE}`)).toString("utf8");
  } catch (error) {
    if (error instanceof WebHdfsError && error.status === 404) return { manifest: null, error: "no manifest yet" };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { manifest: null, error: "manifest is not JSON" };
  }
  const parsed = archiveManifestSchema.safeParse(json);
  if (!parsed.success) return { manifest: null, error: `manifest invalid: ${parsed.error.issues[0]?.message ?? "?"}` };
  return { manifest: parsed.data, error: null };
}

export async function browseArchive(ctx: AdminContext, input: z.input<typeof browseArchiveInput>): Promise<ArchiveListing> {
  const { kind, day, symbol } = browseArchiveInput.parse(input);
  const root = ctx.archiveRoot;
  if (day === undefined) {
    const path = archiveKindDir(kind, root);
    const days = (await listDir(ctx, path))
      .filter((s) => s.type === "DIRECTORY")
      .flatMap((s) => {
        const value = partitionValue(s.pathSuffix, "date");
        return value ? [{ day: value, modifiedAtMs: s.modificationTime }] : [];
      })
      .sort((a, b) => b.day.localeCompare(a.day));
    return { level: "days", kind, path, days: days.slice(0, MAX_ARCHIVE_ENTRIES), truncated: days.length > MAX_ARCHIVE_ENTRIES };
  }
  if (symbol === undefined) {
    const path = archiveDayDir(kind, day, root);
    const names = (await listDir(ctx, path))
      .filter((s) => s.type === "DIRECTORY")
      .flatMap((s) => partitionValue(s.pathSuffix, "symbol") ?? [])
      .sort();
    const shown = names.slice(0, MAX_ARCHIVE_ENTRIES);
    const symbols = await mapConcurrent(shown, MANIFEST_CONCURRENCY, async (name): Promise<ArchiveSymbol> => {
      const { manifest, error } = await readManifest(ctx, archiveSymbolDir(kind, day, name, root));
      return { symbol: name, rows: manifest?.rows ?? null, bytes: manifest?.bytes ?? null, manifestError: error };
    });
    return { level: "symbols", kind, day, path, symbols, truncated: names.length > MAX_ARCHIVE_ENTRIES };
  }
  const path = archiveSymbolDir(kind, day, symbol, root);
  const [statuses, { manifest, error }] = await Promise.all([listDir(ctx, path), readManifest(ctx, path)]);
  const files = statuses
    .filter((s) => s.type === "FILE")
    .map((s) => ({ name: s.pathSuffix, bytes: s.length, modifiedAtMs: s.modificationTime }))
    // The data file first, then the manifest, then anything else (temporary files of a running job).
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  return {
    level: "files",
    kind,
    day,
    symbol,
    path,
    files: files.slice(0, MAX_ARCHIVE_ENTRIES),
    manifest,
    manifestError: statuses.length === 0 ? "no such directory" : error,
  };
}

function rank(name: string): number {
  return name === ARCHIVE_DATA_FILE ? 0 : name === ARCHIVE_MANIFEST_FILE ? 1 : 2;
}
