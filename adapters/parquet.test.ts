import { describe, expect, it } from "vitest";
import { fromRecord, toColumns, type ArchivedQuote, type ArchivedTrade } from "../core/archive";
import { createParquetStreamWriter, parquetSchema, readParquetMetadata, readParquetRowGroups, type RangeSource } from "./parquet";

/** Writes rows in row groups of `groupRows` into memory; returns the file and the chunks the sink got. */
async function writeFile<K extends "trades" | "quotes">(
  kind: K,
  rows: readonly (K extends "trades" ? ArchivedTrade : ArchivedQuote)[],
  groupRows: number,
) {
  const chunks: Uint8Array[] = [];
  const writer = createParquetStreamWriter(kind, (chunk) => {
    chunks.push(chunk);
    return Promise.resolve();
  });
  for (let i = 0; i < rows.length; i += groupRows) await writer.writeRowGroup(toColumns(kind, rows.slice(i, i + groupRows)));
  const bytes = await writer.finish();
  const file = Buffer.concat(chunks);
  expect(file.byteLength).toBe(bytes);
  return { file, chunks };
}

function source(file: Buffer, reads: { offset: number; length: number }[] = []): RangeSource {
  return {
    byteLength: file.byteLength,
    read: (offset, length) => {
      reads.push({ offset, length });
      return Promise.resolve(file.subarray(offset, offset + length));
    },
  };
}

const DAY_MS = Date.UTC(2013, 9, 7, 13, 30);
const trades: ArchivedTrade[] = Array.from({ length: 2_500 }, (_, i) => ({
  symbol: "IBM",
  ts: DAY_MS + i * 37,
  price: 186 + (i % 17) / 100,
  size: 100 + i,
  tradeId: `2013-10-07-${String(i).padStart(7, "0")}`,
  ...(i % 3 === 0 ? { venue: "N" } : {}),
  ...(i % 11 === 0 ? { suspicious: true } : {}),
  ...(i % 2 === 0 ? { bid: 185.99, ask: 186.2, side: "buy", effectiveSpread: 0.02 } : { side: "unknown" }),
}));
const quotes: ArchivedQuote[] = Array.from({ length: 1_000 }, (_, i) => ({
  symbol: "IBM",
  ts: DAY_MS + i * 5,
  sourcePartition: i % 3,
  sourceOffset: (2n ** 60n + BigInt(i)).toString(),
  ...(i % 2 === 0 ? { bid: 186, bidSize: 300 } : {}),
  ...(i % 2 === 1 || i % 5 === 0 ? { ask: 186.1, askSize: 200 } : {}),
}));

describe("Parquet archive files", () => {
  it("round-trips trades through several row groups, streamed to the sink one group at a time", async () => {
    const { file, chunks } = await writeFile("trades", trades, 1_000);
    // One chunk per row group plus the footer: the writer never held the whole file.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const metadata = await readParquetMetadata(source(file));
    expect(Number(metadata.num_rows)).toBe(trades.length);
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([1_000, 1_000, 500]);
    const groups: ArchivedTrade[][] = [];
    for await (const records of readParquetRowGroups(source(file))) groups.push(records.map((r) => fromRecord("trades", r)));
    expect(groups.map((g) => g.length)).toEqual([1_000, 1_000, 500]);
    expect(groups.flat()).toEqual(trades);
  });

  it("keeps int64 Kafka offsets above 2^53 and one-sided quotes exact", async () => {
    const { file } = await writeFile("quotes", quotes, 400);
    const rows: ArchivedQuote[] = [];
    for await (const records of readParquetRowGroups(source(file))) rows.push(...records.map((r) => fromRecord("quotes", r)));
    expect(rows).toEqual(quotes);
  });

  it("reads one row group with ranged reads, not the whole file", async () => {
    const many = Array.from({ length: 12 }, (_, k) =>
      trades.map((t) => ({ ...t, ts: t.ts + k * 100_000, tradeId: `${k}-${t.tradeId}` })),
    ).flat();
    const { file } = await writeFile("trades", many, 6_000);
    const reads: { offset: number; length: number }[] = [];
    const it = readParquetRowGroups(source(file, reads));
    await it.next();
    await it.return(undefined);
    expect(reads.reduce((n, r) => n + r.length, 0)).toBeLessThan(file.byteLength / 2);
  });

  it("writes a valid file with no rows", async () => {
    const { file } = await writeFile("quotes", [], 100);
    expect(Number((await readParquetMetadata(source(file))).num_rows)).toBe(0);
    const groups: unknown[] = [];
    for await (const g of readParquetRowGroups(source(file))) groups.push(g);
    expect(groups).toEqual([]);
  });

  it("declares ts as an INT64 UTC millisecond timestamp, prices as DOUBLE and strings as UTF8", () => {
    const byName = new Map(parquetSchema("trades").map((e) => [e.name, e]));
    expect(byName.get("ts")).toMatchObject({
      type: "INT64",
      converted_type: "TIMESTAMP_MILLIS",
      logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
      repetition_type: "REQUIRED",
    });
    expect(byName.get("price")).toMatchObject({ type: "DOUBLE", repetition_type: "REQUIRED" });
    expect(byName.get("venue")).toMatchObject({ type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" });
    expect(parquetSchema("quotes").find((e) => e.name === "source_offset")).toMatchObject({ type: "INT64", repetition_type: "REQUIRED" });
  });
});
