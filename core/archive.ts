// Pure shaping of the HDFS archive: the Parquet columns of each tick kind, rows <-> columns, the
// manifest fold (rows, event-time range) and the check of a file against its manifest. The
// Parquet bytes themselves are adapters/parquet.ts's business; nothing here does I/O.
import { archiveManifestSchema, type ArchiveManifest } from "./archive-layout";
import type { ArchiveKind } from "./batch-jobs";
import type { Quote, Trade } from "./schemas";

/** A stored trade with its NBBO join, as archived (structurally the store's TradeRow). */
export type ArchivedTrade = Trade & { bid?: number; ask?: number; side?: string; effectiveSpread?: number };
/** A stored quote with the Kafka position it came from (its key in Cassandra; the store's QuoteRow). */
export type ArchivedQuote = Quote & { sourcePartition: number; sourceOffset: string };
export type ArchivedRow<K extends ArchiveKind> = K extends "trades" ? ArchivedTrade : ArchivedQuote;

/** Column types, independent of the Parquet library (the adapter maps them to Parquet types). */
export type ArchiveColumnType = "utf8" | "timestamp-ms" | "double" | "boolean" | "int32" | "int64";
export type ArchiveColumn = { name: string; type: ArchiveColumnType; nullable: boolean };

/** A column's values: numbers for timestamps, bigint for int64, null where a nullable value is absent. */
export type ColumnValues = (string | number | bigint | boolean | null)[];
export type ColumnBatch = { rows: number; columns: Map<string, ColumnValues> };

// snake_case, as the Cassandra columns, so Spark/Hive/DuckDB users see familiar names.
export const ARCHIVE_COLUMNS: Readonly<Record<ArchiveKind, readonly ArchiveColumn[]>> = {
  trades: [
    { name: "symbol", type: "utf8", nullable: false },
    { name: "ts", type: "timestamp-ms", nullable: false },
    { name: "trade_id", type: "utf8", nullable: false },
    { name: "price", type: "double", nullable: false },
    { name: "size", type: "double", nullable: false },
    { name: "venue", type: "utf8", nullable: true },
    { name: "suspicious", type: "boolean", nullable: false },
    { name: "bid", type: "double", nullable: true },
    { name: "ask", type: "double", nullable: true },
    { name: "side", type: "utf8", nullable: true },
    { name: "effective_spread", type: "double", nullable: true },
  ],
  quotes: [
    { name: "symbol", type: "utf8", nullable: false },
    { name: "ts", type: "timestamp-ms", nullable: false },
    { name: "bid", type: "double", nullable: true },
    { name: "bid_size", type: "double", nullable: true },
    { name: "ask", type: "double", nullable: true },
    { name: "ask_size", type: "double", nullable: true },
    { name: "venue", type: "utf8", nullable: true },
    { name: "source_partition", type: "int32", nullable: false },
    { name: "source_offset", type: "int64", nullable: false },
  ],
};

const opt = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

function cellsOf(kind: ArchiveKind, row: ArchivedTrade | ArchivedQuote): ColumnValues {
  if (kind === "trades") {
    const t = row as ArchivedTrade;
    return [
      t.symbol,
      t.ts,
      t.tradeId,
      t.price,
      t.size,
      opt(t.venue),
      t.suspicious === true,
      opt(t.bid),
      opt(t.ask),
      opt(t.side),
      opt(t.effectiveSpread),
    ];
  }
  const q = row as ArchivedQuote;
  return [q.symbol, q.ts, opt(q.bid), opt(q.bidSize), opt(q.ask), opt(q.askSize), opt(q.venue), q.sourcePartition, BigInt(q.sourceOffset)];
}

/** Rows of one kind as columns, in row order (one Parquet row group). */
export function toColumns<K extends ArchiveKind>(kind: K, rows: readonly ArchivedRow<K>[]): ColumnBatch {
  const defs = ARCHIVE_COLUMNS[kind];
  const arrays: ColumnValues[] = defs.map(() => new Array<string | number | bigint | boolean | null>(rows.length));
  rows.forEach((row, r) => {
    cellsOf(kind, row).forEach((value, c) => {
      (arrays[c] as ColumnValues)[r] = value;
    });
  });
  return { rows: rows.length, columns: new Map(defs.map((d, c) => [d.name, arrays[c] as ColumnValues])) };
}

type Record_ = Readonly<Record<string, unknown>>;

/** A short description of a bad cell for the error message. */
const shown = (value: unknown): string =>
  typeof value === "string" ? JSON.stringify(value) : value === null || value === undefined ? String(value) : typeof value;

function need<T>(record: Record_, name: string, check: (v: unknown) => v is T): T {
  const value = record[name];
  if (!check(value)) throw new TypeError(`archived row: column ${name} has ${shown(value)}`);
  return value;
}
const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number";
const isAbsent = (v: unknown): v is null | undefined => v === null || v === undefined;

function optional<T>(record: Record_, name: string, check: (v: unknown) => v is T): T | undefined {
  const value = record[name];
  if (isAbsent(value)) return undefined;
  if (!check(value)) throw new TypeError(`archived row: column ${name} has ${shown(value)}`);
  return value;
}

/** Epoch ms of a decoded timestamp (a Date, or a number/bigint of ms). */
function tsOf(record: Record_): number {
  const value = record.ts;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "bigint") return Number(value);
  return need(record, "ts", isNumber);
}

/** One decoded Parquet row (column name -> value) back into the row that was archived. */
export function fromRecord<K extends ArchiveKind>(kind: K, record: Record_): ArchivedRow<K> {
  const symbol = need(record, "symbol", isString);
  const ts = tsOf(record);
  const venue = optional(record, "venue", isString);
  if (kind === "trades") {
    const trade: ArchivedTrade = {
      symbol,
      ts,
      tradeId: need(record, "trade_id", isString),
      price: need(record, "price", isNumber),
      size: need(record, "size", isNumber),
    };
    if (venue !== undefined) trade.venue = venue;
    if (record.suspicious === true) trade.suspicious = true;
    const bid = optional(record, "bid", isNumber);
    const ask = optional(record, "ask", isNumber);
    const side = optional(record, "side", isString);
    const effectiveSpread = optional(record, "effective_spread", isNumber);
    if (bid !== undefined) trade.bid = bid;
    if (ask !== undefined) trade.ask = ask;
    if (side !== undefined) trade.side = side;
    if (effectiveSpread !== undefined) trade.effectiveSpread = effectiveSpread;
    return trade as ArchivedRow<K>;
  }
  const offset = record.source_offset;
  if (typeof offset !== "bigint" && typeof offset !== "number")
    throw new TypeError(`archived row: column source_offset has ${shown(offset)}`);
  const quote: ArchivedQuote = { symbol, ts, sourcePartition: need(record, "source_partition", isNumber), sourceOffset: offset.toString() };
  if (venue !== undefined) quote.venue = venue;
  const bid = optional(record, "bid", isNumber);
  const ask = optional(record, "ask", isNumber);
  if (bid !== undefined) Object.assign(quote, { bid, bidSize: need(record, "bid_size", isNumber) });
  if (ask !== undefined) Object.assign(quote, { ask, askSize: need(record, "ask_size", isNumber) });
  return quote as ArchivedRow<K>;
}

/** What the manifest needs from the rows, folded as they stream past. */
export type ManifestStats = { rows: number; minTs: number | null; maxTs: number | null };

export function emptyManifestStats(): ManifestStats {
  return { rows: 0, minTs: null, maxTs: null };
}

/** Folds one row's event time into the stats (mutates and returns them). */
export function addToManifestStats(stats: ManifestStats, tsMs: number): ManifestStats {
  stats.rows += 1;
  stats.minTs = stats.minTs === null ? tsMs : Math.min(stats.minTs, tsMs);
  stats.maxTs = stats.maxTs === null ? tsMs : Math.max(stats.maxTs, tsMs);
  return stats;
}

/** The manifest of a finished file (validated: a bad one is a bug, not data). */
export function buildManifest(input: {
  kind: ArchiveKind;
  day: string;
  symbol: string;
  file: string;
  stats: ManifestStats;
  bytes: number;
  sha256: string;
  writtenAtMs: number;
  jobId?: string;
}): ArchiveManifest {
  return archiveManifestSchema.parse({
    version: 1,
    kind: input.kind,
    day: input.day,
    symbol: input.symbol,
    file: input.file,
    rows: input.stats.rows,
    bytes: input.bytes,
    minTs: input.stats.minTs,
    maxTs: input.stats.maxTs,
    sha256: input.sha256,
    writtenAtMs: input.writtenAtMs,
    ...(input.jobId !== undefined ? { jobId: input.jobId } : {}),
  });
}

/** Parses a `_manifest.json`; throws with the path in the message when it is not one. */
export function parseManifest(text: string, where: string): ArchiveManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: manifest is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = archiveManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${where}: invalid manifest: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Every way a file (its bytes, hash, or decoded rows) disagrees with its manifest; empty = matches. */
export function manifestMismatches(
  manifest: ArchiveManifest,
  actual: { bytes?: number; sha256?: string; stats?: ManifestStats },
): string[] {
  const problems: string[] = [];
  if (actual.bytes !== undefined && actual.bytes !== manifest.bytes)
    problems.push(`size ${actual.bytes} B, manifest says ${manifest.bytes} B`);
  if (actual.sha256 !== undefined && actual.sha256 !== manifest.sha256)
    problems.push(`sha256 ${actual.sha256}, manifest says ${manifest.sha256}`);
  if (actual.stats !== undefined) {
    const s = actual.stats;
    if (s.rows !== manifest.rows) problems.push(`${s.rows} rows, manifest says ${manifest.rows}`);
    if (s.minTs !== manifest.minTs || s.maxTs !== manifest.maxTs)
      problems.push(`ts range [${s.minTs}, ${s.maxTs}], manifest says [${manifest.minTs}, ${manifest.maxTs}]`);
  }
  return problems;
}
