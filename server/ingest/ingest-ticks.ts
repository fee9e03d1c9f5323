// Ingest of one batch of ticks of one kind: validate all of it, then publish all of it keyed by
// symbol, and answer only after Kafka acked every message. One invalid tick refuses the whole
// batch, so a client never has to work out which of its ticks went through: it fixes and resends.
import { z } from "zod";
import { getConfig } from "../../adapters/config";
import { hasKafkaErrorType } from "../../adapters/kafka";
import { futureReason } from "../../core/tick-messages";
import { priceSchema, quoteSchema, tradeSchema, type Price, type Quote, type TickKind, type Trade } from "../../core/schemas";
import { AppError, fieldName, type FieldErrors } from "../errors";
import type { IngestContext } from "./ingest-context";

export type TickOf<K extends TickKind> = K extends "trades" ? Trade : K extends "quotes" ? Quote : Price;

const tickSchemas = { trades: tradeSchema, quotes: quoteSchema, prices: priceSchema } as const;

/** Invalid ticks whose field errors a 400 lists; the message counts all of them. */
export const MAX_REPORTED_INVALID_TICKS = 100;

/** The request body of `kind`: what parseTickBatch accepts (and what the OpenAPI document shows). */
export function tickBatchSchema(kind: TickKind, maxTicks: number) {
  return z.array(tickSchemas[kind]).min(1).max(maxTicks);
}

export const ingestResultSchema = z.object({
  /** Ticks written, all of them acked by Kafka. */
  accepted: z.number().int().positive(),
  topic: z.string(),
  /** The partitions the ticks went to, ascending. */
  partitions: z.array(z.number().int().min(0)),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

const singular = (kind: TickKind) => kind.slice(0, -1);

/**
 * The ticks of a request body, or an AppError: 400 when it is not a non-empty array or any element
 * is invalid (field errors named `[index].field`), 413 when it holds more than `maxTicks`.
 */
export function parseTickBatch<K extends TickKind>(
  kind: K,
  input: unknown,
  maxTicks: number,
  eventTime?: { nowMs: number; maxFutureMs: number },
): TickOf<K>[] {
  if (!Array.isArray(input)) {
    throw new AppError("BAD_REQUEST", {
      message: `the body must be a JSON array of ${kind}`,
      fields: { "": [`expected an array of ${kind}`] },
      retriable: false,
    });
  }
  if (input.length === 0) {
    throw new AppError("BAD_REQUEST", {
      message: `the array holds no ${kind}`,
      fields: { "": [`send at least one ${singular(kind)}`] },
      retriable: false,
    });
  }
  // Before validating: the count alone decides, and the work stays bounded.
  if (input.length > maxTicks) {
    throw new AppError("PAYLOAD_TOO_LARGE", {
      message: `${input.length} ${kind} in one request; at most ${maxTicks} are accepted`,
      retriable: false,
    });
  }
  const schema = tickSchemas[kind];
  const ticks: TickOf<K>[] = [];
  const fields: FieldErrors = {};
  let invalid = 0;
  for (const [index, element] of input.entries()) {
    const checked = schema.safeParse(element);
    // The stream's event-time sanity rule (core/tick-messages futureReason), told to the client at once.
    const future = checked.success && eventTime ? futureReason(checked.data.ts, eventTime.nowMs, eventTime.maxFutureMs) : undefined;
    if (checked.success && future === undefined) {
      ticks.push(checked.data as TickOf<K>);
      continue;
    }
    invalid++;
    if (invalid > MAX_REPORTED_INVALID_TICKS) continue;
    if (future !== undefined) (fields[fieldName([index, "ts"])] ??= []).push(future.replace("its record time", "the server's clock"));
    else if (!checked.success)
      for (const issue of checked.error.issues) (fields[fieldName([index, ...issue.path])] ??= []).push(issue.message);
  }
  if (invalid > 0) {
    if (invalid > MAX_REPORTED_INVALID_TICKS) fields[""] = [`field errors of the first ${MAX_REPORTED_INVALID_TICKS} invalid ${kind} only`];
    throw new AppError("BAD_REQUEST", {
      message: `${invalid} of ${input.length} ${kind} invalid; nothing was published`,
      fields,
      retriable: false,
    });
  }
  return ticks;
}

// kafkajs protocol errors that no retry of the same request can fix.
const TOO_LARGE_TYPES = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]);

/** Maps a failed send: too large for the broker → 413; anything else → 503 retriable. */
export function sendError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasKafkaErrorType(error, TOO_LARGE_TYPES)) {
    return new AppError("PAYLOAD_TOO_LARGE", {
      message: "the batch is larger than Kafka accepts; send fewer ticks per request",
      retriable: false,
      cause: error,
    });
  }
  return new AppError("UNAVAILABLE", { message: "Kafka did not acknowledge the ticks; retry the request", retriable: true, cause: error });
}

/** Sends valid ticks to the kind's topic keyed by symbol; resolves after Kafka acked them all. */
export async function publishTicks<K extends TickKind>(ctx: IngestContext, kind: K, ticks: readonly TickOf<K>[]): Promise<IngestResult> {
  const topic = ctx.topics[kind];
  // The key is the symbol: a symbol's ticks stay in one partition, where the stream worker expects them.
  const messages = ticks.map((tick) => ({ key: tick.symbol, value: JSON.stringify(tick) }));
  let acked;
  try {
    acked = await ctx.send(topic, messages);
  } catch (error) {
    throw sendError(error);
  }
  const partitions = [...new Set(acked.map((record) => record.partition))].sort((a, b) => a - b);
  return { accepted: ticks.length, topic, partitions };
}

/** Validates `input` as a batch of `kind`, then publishes it: bad input is a 4xx even while Kafka is down. */
export async function ingestTicks<K extends TickKind>(
  ctx: IngestContext,
  kind: K,
  input: unknown,
  maxTicks: number,
): Promise<IngestResult> {
  return publishTicks(ctx, kind, parseTickBatch(kind, input, maxTicks, { nowMs: Date.now(), maxFutureMs: getConfig().stream.maxFutureMs }));
}
