// The one place that knows the Parquet library (hyparquet-writer / hyparquet, pure JS, no native
// build). Writes row group by row group into a byte sink, so a file never sits in memory whole;
// reads row group by row group through ranged reads of an AsyncBuffer.
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData, type SchemaElement } from "hyparquet";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { ARCHIVE_COLUMNS, type ArchiveColumn, type ColumnBatch } from "../core/archive";
import type { ArchiveKind } from "../core/batch-jobs";

function schemaElement(column: ArchiveColumn): SchemaElement {
  const repetition_type = column.nullable ? "OPTIONAL" : "REQUIRED";
  switch (column.type) {
    case "utf8":
      return { name: column.name, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" }, repetition_type };
    case "timestamp-ms":
      return {
        name: column.name,
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
        repetition_type,
      };
    case "double":
      return { name: column.name, type: "DOUBLE", repetition_type };
    case "boolean":
      return { name: column.name, type: "BOOLEAN", repetition_type };
    case "int32":
      return { name: column.name, type: "INT32", repetition_type };
    case "int64":
      return { name: column.name, type: "INT64", repetition_type };
  }
}

/** The Parquet schema of an archive kind (root first, as the format wants). */
export function parquetSchema(kind: ArchiveKind): SchemaElement[] {
  const columns = ARCHIVE_COLUMNS[kind];
  return [{ name: "root", num_children: columns.length }, ...columns.map(schemaElement)];
}

/**
 * A ByteWriter whose flush (called by ParquetWriter after each row group, and by finish) hands the
 * bytes written since the last flush to `sink` and reuses its buffer: memory is one row group.
 */
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: (chunk: Uint8Array) => Promise<void>) {
    super(1 << 20);
  }

  flush(): Promise<void> {
    // Copied: the buffer is reused for the next row group while the sink may still hold the chunk.
    const chunk = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return chunk.byteLength > 0 ? this.sink(chunk) : Promise.resolve();
  }

  // ParquetWriter awaits what finish returns (its Writer type is `void | Promise<void>`).
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  override finish(): Promise<void> {
    return this.flush();
  }
}

export interface ParquetStreamWriter {
  /** Writes `batch` as one row group (call with at most a few tens of thousands of rows). */
  writeRowGroup(batch: ColumnBatch): Promise<void>;
  /** Writes the footer; returns the file's size in bytes. */
  finish(): Promise<number>;
}

/** A Parquet file of `kind` written row group by row group into `sink` (SNAPPY compressed). */
export function createParquetStreamWriter(kind: ArchiveKind, sink: (chunk: Uint8Array) => Promise<void>): ParquetStreamWriter {
  const writer = new SinkWriter(sink);
  const columns = ARCHIVE_COLUMNS[kind];
  const parquet = new ParquetWriter({ writer, schema: parquetSchema(kind), codec: "SNAPPY", createdBy: "tickstream archive" });
  return {
    async writeRowGroup(batch) {
      if (batch.rows === 0) return;
      const columnData = columns.map((c) => {
        const data = batch.columns.get(c.name);
        if (data === undefined) throw new Error(`row group lacks column ${c.name}`);
        return { name: c.name, data, nullable: c.nullable };
      });
      await parquet.write({ columnData, rowGroupSize: batch.rows });
    },
    async finish() {
      await parquet.finish();
      return writer.offset;
    },
  };
}

/** A file to read: its size and a ranged read. */
export type RangeSource = { byteLength: number; read(offset: number, length: number): Promise<Uint8Array> };

function asyncBuffer(source: RangeSource): AsyncBuffer {
  return {
    byteLength: source.byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? source.byteLength;
      const bytes = await source.read(start, stop - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

// hyparquet's default first read of a footer is the last 512 KiB; an archive footer is a few KiB
// (a handful of row groups × 11 columns), and a bigger one costs just a second read.
const FOOTER_FETCH_BYTES = 64 * 1024;

/** The footer metadata of a Parquet file (row count, row groups). */
export async function readParquetMetadata(source: RangeSource): Promise<FileMetaData> {
  return parquetMetadataAsync(asyncBuffer(source), { initialFetchSize: FOOTER_FETCH_BYTES });
}

/**
 * Yields a Parquet file's rows one row group at a time (column name -> value; timestamps as Date,
 * int64 as bigint), so memory is bounded by the largest row group.
 */
export async function* readParquetRowGroups(source: RangeSource): AsyncGenerator<Record<string, unknown>[]> {
  const file = asyncBuffer(source);
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: FOOTER_FETCH_BYTES });
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    yield await parquetReadObjects({ file, metadata, rowStart, rowEnd });
    rowStart = rowEnd;
  }
}
