// Validates one Kafka record of a tick topic with the core schemas: either the typed tick or the
// reason it goes to the DLQ (empty, oversized, not JSON, schema violation, key ≠ symbol).
import { zodReason } from "./parsers/lean-ticks";
import { priceSchema, quoteSchema, tradeSchema, type DlqRecord, type Price, type Quote, type TickKind, type Trade } from "./schemas";

/** Records larger than this are refused without parsing (a tick is ~150 bytes). */
export const MAX_TICK_BYTES = 16 * 1024;
/** The DLQ keeps at most this much of a refused value, so a DLQ record always fits a Kafka message. */
export const MAX_DLQ_RAW_BYTES = 64 * 1024;

export type TickOf<K extends TickKind> = K extends "trades" ? Trade : K extends "quotes" ? Quote : Price;
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const schemas = { trades: tradeSchema, quotes: quoteSchema, prices: priceSchema } as const;

/** Parses and validates a record value of topic kind `kind`; `key` must be the tick's symbol. */
export function parseTick<K extends TickKind>(kind: K, key: Buffer | null, value: Buffer | null): Parsed<TickOf<K>> {
  if (value === null || value.length === 0) return { ok: false, reason: "empty value" };
  if (value.length > MAX_TICK_BYTES) return { ok: false, reason: `value of ${value.length} bytes exceeds ${MAX_TICK_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const checked = schemas[kind].safeParse(json);
  if (!checked.success) return { ok: false, reason: `invalid ${kind.slice(0, -1)}: ${zodReason(checked.error)}` };
  const tick = checked.data as TickOf<K>;
  // The key decides the partition, and a symbol's windows live in one partition only.
  const keyText = key?.toString("utf8");
  if (keyText !== tick.symbol) return { ok: false, reason: `key "${keyText ?? "(none)"}" is not the symbol "${tick.symbol}"` };
  return { ok: true, value: tick };
}

/** The DLQ record of a refused value (raw text cut to MAX_DLQ_RAW_BYTES, and then said so). */
export function dlqRecord(topic: string, partition: number, offset: string, value: Buffer | null, reason: string, atMs: number): DlqRecord {
  const raw = value === null ? "" : value.subarray(0, MAX_DLQ_RAW_BYTES).toString("utf8");
  const cut = value !== null && value.length > MAX_DLQ_RAW_BYTES;
  return {
    topic,
    partition,
    offset,
    raw,
    reason: cut ? `${reason} (raw cut to ${MAX_DLQ_RAW_BYTES} of ${value.length} bytes)` : reason,
    at: atMs,
  };
}

/** A Kafka record of a tick topic as the stream round reads it. */
export type TickRecord = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The record's timestamp (ms, decimal text, the producer's clock), as kafkajs gives it. */
  timestamp?: string;
};

/** A valid tick with its Kafka offset. */
export type ValidTick<K extends TickKind> = { tick: TickOf<K>; offset: string };

export type ValidateOptions = {
  /** Ticks further than this ahead of their record's timestamp are refused (event-time sanity). */
  maxFutureMs: number;
  /** Wall clock: stamps DLQ records, and stands in for a record without a timestamp. */
  atMs: number;
};

/**
 * Why a tick is too far in the future, or undefined. The bound is the record's own timestamp (the
 * producer's clock when it sent it), not the consumer's clock, so a replay of the same records
 * decides the same way; historical replays pass, their records are stamped when replayed.
 */
export function futureReason(tsMs: number, recordTsMs: number, maxFutureMs: number): string | undefined {
  const aheadMs = tsMs - recordTsMs;
  if (aheadMs <= maxFutureMs) return undefined;
  return `ts ${new Date(tsMs).toISOString()} is ${aheadMs} ms ahead of its record time ${new Date(recordTsMs).toISOString()} (more than STREAM_MAX_FUTURE_MS ${maxFutureMs})`;
}

/** Splits records of one partition into valid ticks and DLQ records, in offset order. */
export function validateRecords<K extends TickKind>(
  kind: K,
  source: { topic: string; partition: number },
  records: readonly TickRecord[],
  options: ValidateOptions,
): { valid: ValidTick<K>[]; dlq: { key: Buffer | null; value: DlqRecord }[] } {
  const valid: ValidTick<K>[] = [];
  const dlq: { key: Buffer | null; value: DlqRecord }[] = [];
  for (const r of records) {
    const parsed = parseTick(kind, r.key, r.value);
    let reason = parsed.ok ? undefined : parsed.reason;
    if (parsed.ok) {
      const recordTsMs = r.timestamp === undefined ? Number.NaN : Number(r.timestamp);
      reason = futureReason(
        parsed.value.ts,
        Number.isFinite(recordTsMs) && recordTsMs > 0 ? recordTsMs : options.atMs,
        options.maxFutureMs,
      );
      if (reason === undefined) {
        valid.push({ tick: parsed.value, offset: r.offset });
        continue;
      }
    }
    dlq.push({ key: r.key, value: dlqRecord(source.topic, source.partition, r.offset, r.value, reason ?? "invalid", options.atMs) });
  }
  return { valid, dlq };
}

/**
 * Cuts DLQ records into sends of at most `maxBytes` of serialized values each (a record alone may
 * reach about twice MAX_DLQ_RAW_BYTES once escaped), so no send is over the broker's batch limit.
 */
export function dlqSends<T extends { value: DlqRecord }>(records: readonly T[], maxBytes: number): T[][] {
  const sends: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const r of records) {
    // The record as it goes on the wire: JSON escaping can double a raw value full of quotes.
    const size = Buffer.byteLength(JSON.stringify(r.value)) + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      sends.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) sends.push(current);
  return sends;
}
