// Zod schemas of every market message on the wire (Kafka values, ingest API bodies).
// Objects are strict: an unknown field is a producer bug we want to see in the DLQ, not drop.
import { z } from "zod";

/** Upper-case ticker, optionally with a class or pair suffix: IBM, BRK.B, BTC-USD. */
export const symbolSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{0,9}([.-][A-Z0-9]{1,6})?$/, "must be an upper-case ticker such as IBM or BTC-USD");

/** Event time, epoch milliseconds UTC, between 1970 and 2200. */
export const tsMsSchema = z.number().int().min(0).max(7_258_118_400_000);

const positivePrice = z.number().finite().positive();
const positiveSize = z.number().finite().positive();
const venueSchema = z.string().min(1).max(16).optional();

export const tradeSchema = z.strictObject({
  symbol: symbolSchema,
  ts: tsMsSchema,
  price: positivePrice,
  size: positiveSize,
  tradeId: z.string().min(1).max(64),
  venue: venueSchema,
  /** Flagged off-market by the source: stored raw, left out of candles. */
  suspicious: z.boolean().optional(),
});
export type Trade = z.infer<typeof tradeSchema>;

/**
 * A venue's quote. Real feeds update one side at a time (LEAN quote ticks), so each side is
 * optional, but a quote carries at least one. Crossed quotes are kept: data quality reports them.
 */
export const quoteSchema = z
  .strictObject({
    symbol: symbolSchema,
    ts: tsMsSchema,
    bid: positivePrice.optional(),
    bidSize: positiveSize.optional(),
    ask: positivePrice.optional(),
    askSize: positiveSize.optional(),
    venue: venueSchema,
    suspicious: z.boolean().optional(),
  })
  .refine((q) => q.bid !== undefined || q.ask !== undefined, { message: "a quote needs a bid or an ask", path: ["bid"] })
  .refine((q) => (q.bid === undefined) === (q.bidSize === undefined), { message: "bid and bidSize go together", path: ["bidSize"] })
  .refine((q) => (q.ask === undefined) === (q.askSize === undefined), { message: "ask and askSize go together", path: ["askSize"] });
export type Quote = z.infer<typeof quoteSchema>;

export const priceKindSchema = z.enum(["last", "close", "reference"]);
export const priceSchema = z.strictObject({
  symbol: symbolSchema,
  ts: tsMsSchema,
  price: positivePrice,
  kind: priceKindSchema,
});
export type Price = z.infer<typeof priceSchema>;

/** What the dead-letter topic carries: the raw value and why it was refused. */
export const dlqRecordSchema = z.strictObject({
  topic: z.string(),
  partition: z.number().int().min(-1),
  offset: z.string(),
  raw: z.string(),
  reason: z.string(),
  at: tsMsSchema,
});
export type DlqRecord = z.infer<typeof dlqRecordSchema>;

export const tickKindSchema = z.enum(["trades", "quotes", "prices"]);
export type TickKind = z.infer<typeof tickKindSchema>;
