// The resumable live-update channel: one Redis stream, appended by stream workers (bounded by
// `XADD MAXLEN ~`), read once per web process by the SSE hub. Each entry holds the update's JSON
// once plus the few fields the hub routes on, so the hub never parses the JSON.
import {
  compareEventIds,
  liveUpdateSchema,
  liveUpdateTypeSchema,
  routeOf,
  streamIntervalSchema,
  type LiveRoute,
  type LiveUpdate,
} from "../core/live-updates";
import { symbolSchema } from "../core/schemas";
import type { Redis } from "./redis";

/** The Redis stream every live update goes through. */
export const LIVE_STREAM_KEY = "tickstream:live";
export const DEFAULT_LIVE_STREAM_MAXLEN = 100_000;

// Entry fields: t = type, s = symbol, i = interval and w = window start (candles only), d = the
// update as JSON.
const FIELD_TYPE = "t";
const FIELD_SYMBOL = "s";
const FIELD_INTERVAL = "i";
const FIELD_WINDOW = "w";
const FIELD_DATA = "d";

/** One stream entry: its id (the SSE event id), its routing fields and the update's JSON text. */
export interface LiveEntry {
  id: string;
  route: LiveRoute;
  json: string;
}

/** Entries read in one call, oldest first. */
export interface LiveBatch {
  entries: LiveEntry[];
  /** Id of the last entry read, malformed ones included (the next read starts after it); `afterId` when none. */
  lastId: string;
  /** Ids of entries skipped because their fields were not a live update's. */
  malformedIds: string[];
}

/** What the stream still holds; decides whether a client can resume after an id. */
export interface LiveRetention {
  length: number;
  /** Oldest retained entry; null when the stream is empty or does not exist. */
  firstId: string | null;
  /** Newest id ever added ("0-0" for a stream that never existed). */
  lastGeneratedId: string;
  /** Entries ever added (Redis ≥ 7.0), so `entriesAdded === length` proves nothing was trimmed. */
  entriesAdded: number | undefined;
}

export interface PublishOptions {
  /** Approximate cap on the stream's length (config `live.streamMaxLen`). */
  maxLen?: number;
  key?: string;
}

/**
 * Appends `updates` in order, one XADD each in one pipeline round trip, trimming the stream to about
 * `maxLen` entries. Every update is validated first: an invalid one throws before anything is
 * written. Returns the new entry ids.
 */
export async function publishLiveUpdates(
  redis: Redis,
  updates: readonly LiveUpdate[],
  { maxLen = DEFAULT_LIVE_STREAM_MAXLEN, key = LIVE_STREAM_KEY }: PublishOptions = {},
): Promise<string[]> {
  if (updates.length === 0) return [];
  const fieldLists = updates.map((update, index) => {
    const parsed = liveUpdateSchema.safeParse(update);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`live update #${index} is invalid: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
    }
    const route = routeOf(parsed.data);
    const fields = [FIELD_TYPE, route.type, FIELD_SYMBOL, route.symbol];
    if (route.interval !== undefined) fields.push(FIELD_INTERVAL, route.interval);
    if (route.windowStart !== undefined) fields.push(FIELD_WINDOW, String(route.windowStart));
    fields.push(FIELD_DATA, JSON.stringify(parsed.data));
    return fields;
  });
  const pipeline = redis.pipeline();
  for (const fields of fieldLists) pipeline.xadd(key, "MAXLEN", "~", maxLen, "*", ...fields);
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, id], index) => {
    if (error) throw new Error(`XADD of live update #${index} failed: ${error.message}`, { cause: error });
    return String(id);
  });
}

/**
 * Entries after `afterId`, waiting up to `blockMs` for the first (XREAD BLOCK). Empty on timeout.
 * Blocks the connection: use a dedicated one.
 */
export async function readLiveUpdates(
  redis: Redis,
  afterId: string,
  count: number,
  blockMs: number,
  key = LIVE_STREAM_KEY,
): Promise<LiveBatch> {
  const reply = await redis.xread("COUNT", count, "BLOCK", blockMs, "STREAMS", key, afterId);
  return parseEntries(reply?.[0]?.[1] ?? [], afterId);
}

/** A backfill page with the retention it was read under (one MULTI, so both see the same stream). */
export interface LiveRange {
  batch: LiveBatch;
  retention: LiveRetention;
}

/** Up to `count` entries strictly after `afterId` (XRANGE with an exclusive start), for backfill. */
export async function rangeLiveUpdates(redis: Redis, afterId: string, count: number, key = LIVE_STREAM_KEY): Promise<LiveRange> {
  const results = (await redis.multi().call("XINFO", "STREAM", key).xrange(key, `(${afterId}`, "+", "COUNT", count).exec()) ?? [];
  const [infoResult, rangeResult] = results;
  if (rangeResult?.[0]) throw rangeResult[0];
  return {
    retention: parseRetention(infoResult?.[0] ?? null, infoResult?.[1]),
    batch: parseEntries((rangeResult?.[1] ?? []) as RawEntry[], afterId),
  };
}

/** Length, oldest retained id and newest id of the live stream. */
export async function getLiveRetention(redis: Redis, key = LIVE_STREAM_KEY): Promise<LiveRetention> {
  try {
    return parseRetention(null, await redis.call("XINFO", "STREAM", key));
  } catch (error) {
    return parseRetention(error as Error, null);
  }
}

export type ResumeVerdict = "ok" | "too-old" | "unknown-id";

/**
 * Whether every entry after `afterId` is still in the stream. "too-old": some were trimmed (an id
 * just before the oldest retained one is also called too old: trimming leaves no trace of which ids
 * it removed). "unknown-id": the id is newer than anything the stream ever held (the stream was
 * deleted or Redis lost its data). In both cases the client must reload a snapshot.
 */
export function classifyResume(afterId: string, retention: LiveRetention): ResumeVerdict {
  if (compareEventIds(afterId, retention.lastGeneratedId) > 0) return "unknown-id";
  if (retention.firstId === null) {
    // Empty: fine only when nothing came after afterId, or nothing was ever removed.
    return afterId === retention.lastGeneratedId || retention.entriesAdded === 0 ? "ok" : "too-old";
  }
  if (compareEventIds(afterId, retention.firstId) >= 0) return "ok";
  return retention.entriesAdded !== undefined && retention.entriesAdded === retention.length ? "ok" : "too-old";
}

type RawEntry = [id: string, fields: string[]];

function parseEntries(raw: RawEntry[], afterId: string): LiveBatch {
  const entries: LiveEntry[] = [];
  const malformedIds: string[] = [];
  let lastId = afterId;
  for (const [id, fields] of raw) {
    lastId = id;
    const entry = parseEntry(id, fields);
    if (entry) entries.push(entry);
    else malformedIds.push(id);
  }
  return { entries, lastId, malformedIds };
}

function parseEntry(id: string, fields: string[]): LiveEntry | undefined {
  let type: string | undefined;
  let symbol: string | undefined;
  let interval: string | undefined;
  let window: string | undefined;
  let json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    switch (fields[i]) {
      case FIELD_TYPE:
        type = value;
        break;
      case FIELD_SYMBOL:
        symbol = value;
        break;
      case FIELD_INTERVAL:
        interval = value;
        break;
      case FIELD_WINDOW:
        window = value;
        break;
      case FIELD_DATA:
        json = value;
        break;
    }
  }
  // The route goes into SSE `event:` lines and filters: only known values, never a stray newline.
  const parsedType = liveUpdateTypeSchema.safeParse(type);
  if (!parsedType.success || json === undefined || !symbolSchema.safeParse(symbol).success) return undefined;
  if (parsedType.data !== "candle") return { id, route: { type: parsedType.data, symbol: symbol as string }, json };
  const parsedInterval = streamIntervalSchema.safeParse(interval);
  const windowStart = Number(window);
  if (!parsedInterval.success || window === undefined || !Number.isSafeInteger(windowStart)) return undefined;
  return { id, route: { type: "candle", symbol: symbol as string, interval: parsedInterval.data, windowStart }, json };
}

function parseRetention(error: Error | null, reply: unknown): LiveRetention {
  if (error) {
    // XINFO on a missing key: a stream that never existed (or was deleted).
    if (/no such key/i.test(error.message)) return { length: 0, firstId: null, lastGeneratedId: "0-0", entriesAdded: 0 };
    throw error;
  }
  const fields = reply as unknown[];
  const info = new Map<string, unknown>();
  for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
  const firstEntry = info.get("first-entry") as RawEntry | null | undefined;
  const entriesAdded = info.get("entries-added");
  const lastGenerated = info.get("last-generated-id");
  return {
    length: Number(info.get("length") ?? 0),
    firstId: firstEntry ? firstEntry[0] : null,
    lastGeneratedId: typeof lastGenerated === "string" ? lastGenerated : "0-0",
    entriesAdded: entriesAdded === undefined ? undefined : Number(entriesAdded),
  };
}
