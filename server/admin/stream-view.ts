// Pure shaping of the stream's health: lag per partition from the topic and group offsets, tick
// rates from two offset samples, and a DLQ message as the console shows it.
import { dlqRecordSchema } from "../../core/schemas";

export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Offset of the next message produced (high watermark). */
  highOffset: number;
  /** The group's committed offset; null when it committed none. */
  committedOffset: number | null;
  /** Messages the group has yet to process: from its committed offset, or from the oldest kept message. */
  lag: number;
}

/** Lag of one topic's partitions; `committed` maps partition → offset as kafkajs gives it ("-1" = none). */
export function partitionLags(topic: string, offsets: readonly PartitionOffsets[], committed: ReadonlyMap<number, string>): PartitionLag[] {
  return [...offsets]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => {
      const high = Number(p.high);
      const low = Number(p.low);
      const raw = committed.get(p.partition);
      const committedOffset = raw === undefined || Number(raw) < 0 ? null : Number(raw);
      return { topic, partition: p.partition, highOffset: high, committedOffset, lag: Math.max(0, high - (committedOffset ?? low)) };
    });
}

/** Offsets of the tick topics at one moment: produced = Σ high watermarks, consumed = Σ committed. */
export interface OffsetSample {
  atMs: number;
  produced: number;
  consumed: number;
}

export function offsetSample(atMs: number, lags: readonly PartitionLag[]): OffsetSample {
  let produced = 0;
  let consumed = 0;
  for (const lag of lags) {
    produced += lag.highOffset;
    consumed += lag.highOffset - lag.lag;
  }
  return { atMs, produced, consumed };
}

export interface TickRates {
  /** Ticks per second written to the tick topics. */
  inPerSec: number;
  /** Ticks per second the stream group committed (processed). */
  outPerSec: number;
  /** Length of the measuring interval. */
  overMs: number;
}

/** Rates between two samples; null when they are not ordered in time. Counters that went back (topic recreated) count as 0. */
export function tickRates(earlier: OffsetSample, later: OffsetSample): TickRates | null {
  const overMs = later.atMs - earlier.atMs;
  if (overMs <= 0) return null;
  const perSec = (delta: number) => Math.round((Math.max(0, delta) * 1000 * 10) / overMs) / 10;
  return { inPerSec: perSec(later.produced - earlier.produced), outPerSec: perSec(later.consumed - earlier.consumed), overMs };
}

export interface DlqEntry {
  partition: number;
  offset: string;
  /** When the DLQ record was written (Kafka timestamp), epoch ms. */
  atMs: number;
  /** Where the refused message came from and why; null when the DLQ value itself is not a DLQ record. */
  source: { topic: string; partition: number; offset: string } | null;
  reason: string;
  /** The refused value, cut for display. */
  raw: string;
  key: string | null;
}

/** Characters of a refused value the viewer shows (the DLQ keeps up to 64 KiB). */
export const DLQ_RAW_PREVIEW_CHARS = 2_000;

const cut = (text: string) => (text.length > DLQ_RAW_PREVIEW_CHARS ? `${text.slice(0, DLQ_RAW_PREVIEW_CHARS)}…` : text);

/** A DLQ message as written by the stream worker (`{ topic, partition, offset, raw, reason, at }`). */
export function parseDlqMessage(message: {
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
}): DlqEntry {
  const text = message.value?.toString("utf8") ?? "";
  const key = message.key?.toString("utf8") ?? null;
  const base = { partition: message.partition, offset: message.offset, atMs: Number(message.timestamp), key };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ...base, source: null, reason: "not a DLQ record (value is not JSON)", raw: cut(text) };
  }
  const parsed = dlqRecordSchema.safeParse(json);
  if (!parsed.success) return { ...base, source: null, reason: "not a DLQ record (unexpected shape)", raw: cut(text) };
  const record = parsed.data;
  return {
    ...base,
    atMs: record.at,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    reason: record.reason,
    raw: cut(record.raw),
  };
}
