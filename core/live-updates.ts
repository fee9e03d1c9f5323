// Live update messages (stream worker → Redis stream → SSE hub → browsers), the subscription a
// browser asks for, and the per-client conflation buffer that lets a slow client skip to the
// newest state instead of stalling the others. Pure: no I/O, no clock.
import { z } from "zod";
import type { Candle } from "./candles";
import type { CandleIndicators } from "./indicators";
import { STREAM_INTERVALS, type StreamInterval } from "./intervals";
import type { LatestState } from "./latest-state";
import { symbolSchema, tsMsSchema } from "./schemas";

const finite = z.number().finite();
const positivePrice = finite.positive();
const nonNegative = finite.nonnegative();

export const streamIntervalSchema = z.enum(STREAM_INTERVALS);

/** A candle of one window, provisional while the window is open, final once the watermark passed it. */
export const candleUpdateSchema = z.strictObject({
  type: z.literal("candle"),
  symbol: symbolSchema,
  interval: streamIntervalSchema,
  windowStart: tsMsSchema,
  open: positivePrice,
  high: positivePrice,
  low: positivePrice,
  close: positivePrice,
  volume: nonNegative,
  vwap: positivePrice,
  tradeCount: z.number().int().positive(),
  isFinal: z.boolean(),
  // Indicators over final 1m closes, on final 1m candles once each has enough history.
  sma20: finite.optional(),
  sma50: finite.optional(),
  ema20: finite.optional(),
  ema50: finite.optional(),
  rv20: nonNegative.optional(),
});

/** Latest price state of a symbol; `change`/`changePct` are against the day open or previous close. */
export const priceUpdateSchema = z.strictObject({
  type: z.literal("price"),
  symbol: symbolSchema,
  ts: tsMsSchema,
  last: positivePrice,
  dayOpen: positivePrice.optional(),
  change: finite.optional(),
  changePct: finite.optional(),
  dayVolume: nonNegative.optional(),
  bid: positivePrice.optional(),
  ask: positivePrice.optional(),
});

/** Prevailing NBBO spread; `effectiveSpread` is 2·|trade − mid| of the latest joined trade. */
export const spreadUpdateSchema = z.strictObject({
  type: z.literal("spread"),
  symbol: symbolSchema,
  ts: tsMsSchema,
  bid: positivePrice,
  ask: positivePrice,
  mid: positivePrice,
  quotedSpread: finite,
  effectiveSpread: finite.optional(),
});

export const alertSeveritySchema = z.enum(["info", "warning", "critical"]);

/** A discrete event (anomaly, data-quality issue): never conflated away, unlike the state updates. */
export const alertUpdateSchema = z.strictObject({
  type: z.literal("alert"),
  symbol: symbolSchema,
  ts: tsMsSchema,
  kind: z.string().min(1).max(64),
  severity: alertSeveritySchema,
  message: z.string().min(1).max(1_000),
  // Anomaly alerts also carry their derived id (the stored row's key) and score, so a browser can
  // de-duplicate against what it read from alerts.recent and show the numbers.
  id: z.string().min(1).max(200).optional(),
  score: finite.optional(),
  observed: finite.optional(),
  baseline: finite.optional(),
});

/**
 * A symbol's forecast of today's open-to-close variance (HAR-RV blended with today's realized
 * variance, core/vol-forecast-live), scored with vol_models version `modelVersion`.
 */
export const forecastUpdateSchema = z.strictObject({
  type: z.literal("forecast"),
  symbol: symbolSchema,
  ts: tsMsSchema,
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  modelVersion: z.number().int().nonnegative(),
  variance: nonNegative,
  sigma: nonNegative,
  harVariance: nonNegative,
  realizedVariance: nonNegative,
  elapsedFraction: finite.min(0).max(1),
  sessionMinutes: z.number().int().positive(),
  referencePrice: positivePrice.optional(),
  sessionStartMs: tsMsSchema.optional(),
});

export const liveUpdateSchema = z.discriminatedUnion("type", [
  candleUpdateSchema,
  priceUpdateSchema,
  spreadUpdateSchema,
  alertUpdateSchema,
  forecastUpdateSchema,
]);

export type CandleUpdate = z.infer<typeof candleUpdateSchema>;
export type PriceUpdate = z.infer<typeof priceUpdateSchema>;
export type SpreadUpdate = z.infer<typeof spreadUpdateSchema>;
export type AlertUpdate = z.infer<typeof alertUpdateSchema>;
export type ForecastUpdate = z.infer<typeof forecastUpdateSchema>;
export type LiveUpdate = z.infer<typeof liveUpdateSchema>;

export const LIVE_UPDATE_TYPES = ["candle", "price", "spread", "alert", "forecast"] as const;
export type LiveUpdateType = (typeof LIVE_UPDATE_TYPES)[number];
export const liveUpdateTypeSchema = z.enum(LIVE_UPDATE_TYPES);

/** What the hub filters and conflates on, without parsing the update's JSON. */
export interface LiveRoute {
  type: LiveUpdateType;
  symbol: string;
  /** Only candle updates have one. */
  interval?: StreamInterval;
  /** Only candle updates have one: a window's updates conflate with each other, not with the next window's. */
  windowStart?: number;
}

/** The routing fields of `update`. */
export function routeOf(update: LiveUpdate): LiveRoute {
  return update.type === "candle"
    ? { type: update.type, symbol: update.symbol, interval: update.interval, windowStart: update.windowStart }
    : { type: update.type, symbol: update.symbol };
}

// -------------------------------------------------------------------------------------------
// Builders for the stream worker, so every producer shapes updates the same way.

function isStreamInterval(interval: string): interval is StreamInterval {
  return (STREAM_INTERVALS as readonly string[]).includes(interval);
}

/**
 * The live update of a stored candle, with the indicators stored with it if any; undefined for
 * `1d`, which only batch rollups produce.
 */
export function toCandleUpdate(candle: Candle, isFinal: boolean, indicators: CandleIndicators = {}): CandleUpdate | undefined {
  if (!isStreamInterval(candle.interval)) return undefined;
  const { symbol, interval, windowStart, open, high, low, close, volume, vwap, tradeCount } = candle;
  const update: CandleUpdate = { type: "candle", symbol, interval, windowStart, open, high, low, close, volume, vwap, tradeCount, isFinal };
  for (const name of ["sma20", "sma50", "ema20", "ema50", "rv20"] as const) {
    const value = indicators[name];
    if (value !== undefined) update[name] = value;
  }
  return update;
}

/**
 * The live update of a symbol's latest state: change against the previous close when known, else
 * against the day open; `nbbo` adds the prevailing bid and ask when the caller has them.
 */
export function toPriceUpdate(state: LatestState, nbbo: { bid?: number; ask?: number } = {}): PriceUpdate {
  const base = state.prevClose ?? state.dayOpen;
  const change = state.lastPrice - base;
  return {
    type: "price",
    symbol: state.symbol,
    ts: state.lastTs,
    last: state.lastPrice,
    dayOpen: state.dayOpen,
    change,
    changePct: base > 0 ? (change / base) * 100 : undefined,
    dayVolume: state.dayVolume,
    ...(nbbo.bid !== undefined ? { bid: nbbo.bid } : {}),
    ...(nbbo.ask !== undefined ? { ask: nbbo.ask } : {}),
  };
}

/** The spread update of a two-sided NBBO at `tsMs` (undefined when a side is missing). */
export function toSpreadUpdate(
  symbol: string,
  tsMs: number,
  nbbo: { bid?: number; ask?: number },
  effectiveSpread?: number,
): SpreadUpdate | undefined {
  const { bid, ask } = nbbo;
  if (bid === undefined || ask === undefined) return undefined;
  return {
    type: "spread",
    symbol,
    ts: tsMs,
    bid,
    ask,
    mid: (bid + ask) / 2,
    quotedSpread: ask - bid,
    ...(effectiveSpread !== undefined ? { effectiveSpread } : {}),
  };
}

/**
 * The last update per conflation key, in the order of those last updates (alerts all kept): what a
 * worker publishes for one batch, so a burst of trades becomes one update per candle and symbol.
 */
export function latestPerKey(updates: readonly LiveUpdate[]): LiveUpdate[] {
  const latest = new Map<string, LiveUpdate>();
  updates.forEach((update, index) => {
    const key = conflationKey(routeOf(update), String(index));
    latest.delete(key);
    latest.set(key, update);
  });
  return [...latest.values()];
}

// -------------------------------------------------------------------------------------------
// Event ids: the Redis stream entry id, "<ms>-<seq>", both unsigned 64-bit decimal integers.

/** A canonical event id (no leading zeros), as the hub sends in `id:` lines. */
export const eventIdSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})-(0|[1-9][0-9]{0,19})$/, 'must be an event id such as "1718000000000-0"');

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two canonical event ids; exact for the whole 64-bit range (no float parsing). */
export function compareEventIds(a: string, b: string): number {
  const dashA = a.indexOf("-");
  const dashB = b.indexOf("-");
  return compareDecimal(a.slice(0, dashA), b.slice(0, dashB)) || compareDecimal(a.slice(dashA + 1), b.slice(dashB + 1));
}

// -------------------------------------------------------------------------------------------
// Subscription: `GET /api/stream?symbols=A,B&intervals=1s,1m&types=candle,price`.

export const MAX_SUBSCRIBED_SYMBOLS = 200;

/** Which updates one client wants; `null` means "all" for that dimension. */
export interface LiveSubscription {
  symbols: ReadonlySet<string> | null;
  /** Applies to candle updates only; price, spread and alert updates have no interval. */
  intervals: ReadonlySet<StreamInterval> | null;
  types: ReadonlySet<LiveUpdateType> | null;
}

/** A comma-separated list, each item checked by `item` and named in the message when bad. */
function csvList<T extends string>(item: z.ZodType<T>, what: string, max: number, normalize: (raw: string) => string) {
  return z.string().transform((text, ctx): T[] => {
    const raw = [
      ...new Set(
        text
          .split(",")
          .map((part) => normalize(part.trim()))
          .filter(Boolean),
      ),
    ];
    if (raw.length === 0) ctx.addIssue({ code: "custom", message: `must list at least one ${what}` });
    if (raw.length > max) ctx.addIssue({ code: "custom", message: `at most ${max} ${what}s, got ${raw.length}` });
    const values: T[] = [];
    for (const value of raw) {
      const parsed = item.safeParse(value);
      if (parsed.success) values.push(parsed.data);
      else ctx.addIssue({ code: "custom", message: `"${value.slice(0, 32)}": ${parsed.error.issues[0]?.message ?? "invalid"}` });
    }
    return values;
  });
}

/** Query of the SSE endpoint; absent lists mean "all". Unknown parameters are ignored. */
export const liveStreamQuerySchema = z.object({
  symbols: csvList(symbolSchema, "symbol", MAX_SUBSCRIBED_SYMBOLS, (s) => s.toUpperCase()).optional(),
  intervals: csvList(streamIntervalSchema, "interval", STREAM_INTERVALS.length, (s) => s).optional(),
  types: csvList(liveUpdateTypeSchema, "type", LIVE_UPDATE_TYPES.length, (s) => s.toLowerCase()).optional(),
  /** For clients that cannot set the Last-Event-ID header. */
  lastEventId: eventIdSchema.optional(),
});
export type LiveStreamQuery = z.infer<typeof liveStreamQuerySchema>;

export function toSubscription(query: Pick<LiveStreamQuery, "symbols" | "intervals" | "types">): LiveSubscription {
  return {
    symbols: query.symbols ? new Set(query.symbols) : null,
    intervals: query.intervals ? new Set(query.intervals) : null,
    types: query.types ? new Set(query.types) : null,
  };
}

/** True when a client with `subscription` wants an update routed as `route`. */
export function matchesSubscription(subscription: LiveSubscription, route: LiveRoute): boolean {
  if (subscription.types && !subscription.types.has(route.type)) return false;
  if (subscription.symbols && !subscription.symbols.has(route.symbol)) return false;
  if (route.interval !== undefined && subscription.intervals && !subscription.intervals.has(route.interval)) return false;
  return true;
}

// -------------------------------------------------------------------------------------------
// Conflation.

/**
 * Key under which updates replace each other while a client is slow: (type, symbol, interval),
 * and for candles also the window, so a window's final state is never replaced by the next
 * window's first one (the chart would keep a stale bar). Alerts are events, not state: each keeps
 * its own key and is never replaced.
 */
export function conflationKey(route: LiveRoute, eventId: string): string {
  if (route.type === "alert") return `alert|${eventId}`;
  if (route.type === "candle") return `candle|${route.symbol}|${route.interval ?? ""}|${route.windowStart ?? ""}`;
  return `${route.type}|${route.symbol}`;
}

export interface ConflatedItem<T> {
  key: string;
  id: string;
  value: T;
}

/**
 * Newest value per key, in order of their event ids, holding at most `maxKeys` keys. Values must be
 * put with increasing ids. When one more key would exceed the cap, everything is dropped and
 * `overflowId` remembers the newest id dropped: the client has lost state and must reload it.
 */
export class ConflationBuffer<T> {
  readonly maxKeys: number;
  // Map iteration order is insertion order; re-inserting a replaced key keeps it sorted by id.
  readonly #items = new Map<string, { id: string; value: T }>();
  #overflowId: string | undefined;

  constructor(maxKeys: number) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${maxKeys}`);
    this.maxKeys = maxKeys;
  }

  get size(): number {
    return this.#items.size;
  }

  /** Newest id dropped by an overflow not yet taken, if any. */
  get overflowId(): string | undefined {
    return this.#overflowId;
  }

  /** True when nothing is pending (no values, no overflow). */
  get isEmpty(): boolean {
    return this.#items.size === 0 && this.#overflowId === undefined;
  }

  /** Adds `value`; "replaced" when it superseded an older value of `key`, "overflow" when it dropped everything. */
  put(key: string, id: string, value: T): "added" | "replaced" | "overflow" {
    if (this.#items.delete(key)) {
      this.#items.set(key, { id, value });
      return "replaced";
    }
    if (this.#items.size >= this.maxKeys) {
      this.#items.clear();
      this.#overflowId = id;
      return "overflow";
    }
    this.#items.set(key, { id, value });
    return "added";
  }

  /** Takes and clears the pending overflow id. */
  takeOverflow(): string | undefined {
    const id = this.#overflowId;
    this.#overflowId = undefined;
    return id;
  }

  /** Removes and returns the value with the oldest id. */
  shift(): ConflatedItem<T> | undefined {
    const first = this.#items.entries().next();
    if (first.done) return undefined;
    const [key, { id, value }] = first.value;
    this.#items.delete(key);
    return { key, id, value };
  }

  clear(): void {
    this.#items.clear();
    this.#overflowId = undefined;
  }
}
