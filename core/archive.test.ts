import { describe, expect, it } from "vitest";
import {
  addToManifestStats,
  ARCHIVE_COLUMNS,
  buildManifest,
  emptyManifestStats,
  fromRecord,
  manifestMismatches,
  parseManifest,
  toColumns,
  type ArchivedQuote,
  type ArchivedTrade,
} from "./archive";
import { archiveStagingName, archiveStagingPrefix, archiveSymbolDir } from "./archive-layout";

const trades: ArchivedTrade[] = [
  { symbol: "IBM", ts: 1_381_150_800_000, price: 186.05, size: 100, tradeId: "2013-10-07-0000001" },
  {
    symbol: "IBM",
    ts: 1_381_150_800_001,
    price: 186.1,
    size: 5,
    tradeId: "2013-10-07-0000002",
    venue: "N",
    suspicious: true,
    bid: 186,
    ask: 186.2,
    side: "buy",
    effectiveSpread: 0.1,
  },
];
const quotes: ArchivedQuote[] = [
  { symbol: "IBM", ts: 1_381_150_800_000, bid: 186, bidSize: 300, sourcePartition: 2, sourceOffset: "9007199254740993" },
  { symbol: "IBM", ts: 1_381_150_800_002, ask: 186.2, askSize: 100, venue: "P", sourcePartition: 0, sourceOffset: "0" },
];

/** What a Parquet reader hands back for a column batch: one object per row, timestamps as Date, int64 as bigint. */
function asRecords(batch: ReturnType<typeof toColumns>): Record<string, unknown>[] {
  return Array.from({ length: batch.rows }, (_, r) =>
    Object.fromEntries([...batch.columns].map(([name, values]) => [name, name === "ts" ? new Date(values[r] as number) : values[r]])),
  );
}

describe("archive rows <-> Parquet columns", () => {
  it("round-trips every field of stored trades and quotes, absent ones as null", () => {
    const tradeColumns = toColumns("trades", trades);
    expect([...tradeColumns.columns.keys()]).toEqual(ARCHIVE_COLUMNS.trades.map((c) => c.name));
    expect(tradeColumns.columns.get("venue")).toEqual([null, "N"]);
    expect(tradeColumns.columns.get("suspicious")).toEqual([false, true]);
    expect(asRecords(tradeColumns).map((r) => fromRecord("trades", r))).toEqual(trades);

    const quoteColumns = toColumns("quotes", quotes);
    // Kafka offsets past 2^53 stay exact as int64.
    expect(quoteColumns.columns.get("source_offset")).toEqual([9007199254740993n, 0n]);
    expect(asRecords(quoteColumns).map((r) => fromRecord("quotes", r))).toEqual(quotes);
  });

  it("refuses a decoded row whose required column is missing or mistyped", () => {
    expect(() => fromRecord("trades", { symbol: "IBM", ts: new Date(0), trade_id: "1", price: "x", size: 1 })).toThrow(/price/);
    expect(() => fromRecord("quotes", { symbol: "IBM", ts: 0, source_partition: 0 })).toThrow(/source_offset/);
  });

  it("gives empty columns for no rows", () => {
    const empty = toColumns("quotes", []);
    expect(empty.rows).toBe(0);
    expect([...empty.columns.values()].every((v) => v.length === 0)).toBe(true);
  });
});

describe("manifest", () => {
  const stats = () => trades.reduce((s, t) => addToManifestStats(s, t.ts), emptyManifestStats());
  const manifest = () =>
    buildManifest({
      kind: "trades",
      day: "2013-10-07",
      symbol: "IBM",
      file: "part-0000.parquet",
      stats: stats(),
      bytes: 1234,
      sha256: "a".repeat(64),
      writtenAtMs: 5,
      jobId: "7",
    });

  it("records rows, event-time range, size and hash, and parses back", () => {
    const m = manifest();
    expect(m).toMatchObject({ version: 1, rows: 2, minTs: 1_381_150_800_000, maxTs: 1_381_150_800_001, bytes: 1234, jobId: "7" });
    expect(parseManifest(JSON.stringify(m), "x")).toEqual(m);
    expect(emptyManifestStats()).toEqual({ rows: 0, minTs: null, maxTs: null });
  });

  it("names every difference between a file and its manifest", () => {
    const m = manifest();
    expect(manifestMismatches(m, { bytes: 1234, sha256: "a".repeat(64), stats: stats() })).toEqual([]);
    const problems = manifestMismatches(m, { bytes: 1000, sha256: "b".repeat(64), stats: addToManifestStats(stats(), 1) });
    expect(problems).toHaveLength(4);
    expect(problems.join("; ")).toMatch(/size 1000 B.*sha256.*3 rows.*ts range/);
  });

  it("refuses a manifest that is not JSON or not a manifest, naming the file", () => {
    expect(() => parseManifest("{", "/a/_manifest.json")).toThrow(/\/a\/_manifest.json: manifest is not JSON/);
    expect(() => parseManifest(JSON.stringify({ ...manifest(), sha256: "zz" }), "/a")).toThrow(/sha256/);
    expect(() =>
      buildManifest({
        kind: "trades",
        day: "2013-10-07",
        symbol: "ibm",
        file: "f",
        stats: stats(),
        bytes: 1,
        sha256: "a".repeat(64),
        writtenAtMs: 0,
      }),
    ).toThrow();
  });
});

describe("archive layout", () => {
  it("keeps the Hive-style layout and makes HDFS-safe staging names per job attempt", () => {
    expect(archiveSymbolDir("quotes", "2013-10-07", "BRK.B")).toBe("/tickstream/quotes/date=2013-10-07/symbol=BRK.B");
    expect(archiveStagingName("archive-repeat:daily-archive:1700000000000", "u1")).toBe("archive-repeat_daily-archive_1700000000000-u1");
    expect(archiveStagingName("archive-12", "u")).toMatch(new RegExp(`^${archiveStagingPrefix("archive-12")}`));
    expect(archiveStagingName("archive-1", "u").startsWith(archiveStagingPrefix("archive-12"))).toBe(false);
  });
});
