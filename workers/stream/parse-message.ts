// Validates one Kafka record of a tick topic with the core schemas: either the typed tick or the
// reason it goes to the DLQ (empty, oversized, not JSON, schema violation, key ≠ symbol).
import { zodReason } from "../../core/parsers/lean-ticks";
import { priceSchema, quoteSchema, tradeSchema, type DlqRecord, type Price, type Quote, type TickKind, type Trade } from "../../core/schemas";

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
  return { topic, partition, offset, raw, reason: cut ? `${reason} (raw cut to ${MAX_DLQ_RAW_BYTES} of ${value.length} bytes)` : reason, at: atMs };
}
