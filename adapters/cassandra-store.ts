// Thin typed access to the tickstream tables: prepared, keyspace-qualified statements (clients are
// not bound to a keyspace), bulk idempotent writes through executeMany, and the reads the stream
// worker (restore, late merge) and the web app (candles, latest) need. No business rules here.
import type { AnomalyAlert } from "../core/anomaly";
import { alertDetails } from "../core/anomaly-alerts";
import type { Candle } from "../core/candles";
import { mapConcurrent } from "../core/concurrency";
import type { CandleIndicators } from "../core/indicators";
import { candleBucket, candleBucketsBetween, dayKey, isInterval, STREAM_INTERVALS, type Interval } from "../core/intervals";
import type { LatestState } from "../core/latest-state";
import type { SymbolClock } from "../core/trade-round";
import type { DataQualityReport } from "../core/data-quality";
import type { Price, Quote, Trade } from "../core/schemas";
import { cassandraTypes, executeBatched, executeMany, type CassandraClient, type PartitionedRow } from "./cassandra";

/** A trade row: the trade plus its join with the prevailing NBBO, when there was one. */
export type TradeRow = Trade & { bid?: number; ask?: number; side?: string; effectiveSpread?: number };

/** A quote row remembers the Kafka position it came from (its idempotency key). */
export type QuoteRow = Quote & { sourcePartition: number; sourceOffset: string };

/** A candle as stored: the candle plus its finality and the Kafka position of its last trade. */
export type StoredCandle = {
  candle: Candle;
  isFinal: boolean;
  sourcePartition: number | undefined;
  lastOffset: string | undefined;
  updatedAtMs: number | undefined;
  /** Indicators stored with a final 1m candle (migration 005); empty elsewhere. */
  indicators: CandleIndicators;
};

/** A candle row to write; absent indicators leave the stored columns as they are (unset, not null). */
export type CandleRow = {
  candle: Candle;
  isFinal: boolean;
  /** Kafka partition of the trades; undefined for batch-derived candles (1d rollups). */
  sourcePartition: number | undefined;
  lastOffset: string | undefined;
  indicators?: CandleIndicators;
};

export type CandleKeyRef = { symbol: string; interval: Interval; windowStart: number };

/** Latest trade-side state of a symbol with the Kafka position of the last trade folded into it. */
export type StoredLatest = {
  state: LatestState;
  sourcePartition: number | undefined;
  lastOffset: string | undefined;
};

/** The whole latest row, as the app shows it. */
export type LatestView = {
  symbol: string;
  tsMs: number | undefined;
  day: string | undefined;
  lastPrice: number | undefined;
  dayOpen: number | undefined;
  dayHigh: number | undefined;
  dayLow: number | undefined;
  dayVolume: number | undefined;
  prevClose: number | undefined;
  dayChange: number | undefined;
  bid: number | undefined;
  ask: number | undefined;
  bidSize: number | undefined;
  askSize: number | undefined;
  quoteTsMs: number | undefined;
};

/** An anomaly alert row (migration 003): keyed by its UTC day, event time and derived id. */
export type AlertRow = { alertId: string; symbol: string; kind: string; tsMs: number; severity: number; details: string };

/** The alerts row of an alert. */
export function toAlertRow(alert: AnomalyAlert): AlertRow {
  return {
    alertId: alert.id,
    symbol: alert.symbol,
    kind: alert.kind,
    tsMs: alert.ts,
    severity: alert.severity,
    details: JSON.stringify(alertDetails(alert)),
  };
}

export type NbboRow = { symbol: string; tsMs: number; bid?: number; ask?: number; bidSize?: number; askSize?: number };

/** Per-symbol clocks of one (group, topic, partition), see migrations 004 and 009. */
export type StreamProgress = Map<string, SymbolClock>;

export type ProgressKey = { group: string; topic: string; partition: number };

const CANDLE_COLUMNS =
  "symbol, interval, window_start, open, high, low, close, volume, notional, vwap, trade_count, first_ts, first_trade_id, last_ts, last_trade_id, is_final, source_partition, last_offset, updated_at, sma20, sma50, ema20, ema50, rv20";

type Row = { get(name: string): unknown };

function toLong(offset: string | undefined): unknown {
  return offset === undefined ? undefined : cassandraTypes.Long.fromString(offset);
}

function longText(value: unknown): string | undefined {
  // bigint columns come back as driver Longs, whose toString is the exact decimal.
  return value === null || value === undefined ? undefined : (value as { toString(): string }).toString();
}

function num(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "number") return value;
  return Number((value as { toString(): string }).toString());
}

function ms(value: unknown): number | undefined {
  return value instanceof Date ? value.getTime() : undefined;
}

function candleFromRow(row: Row): StoredCandle {
  const candle: Candle = {
    symbol: row.get("symbol") as string,
    interval: row.get("interval") as Interval,
    windowStart: ms(row.get("window_start")) ?? 0,
    open: row.get("open") as number,
    high: row.get("high") as number,
    low: row.get("low") as number,
    close: row.get("close") as number,
    volume: row.get("volume") as number,
    notional: row.get("notional") as number,
    vwap: row.get("vwap") as number,
    tradeCount: row.get("trade_count") as number,
    firstTs: ms(row.get("first_ts")) ?? 0,
    firstTradeId: row.get("first_trade_id") as string,
    lastTs: ms(row.get("last_ts")) ?? 0,
    lastTradeId: row.get("last_trade_id") as string,
  };
  return {
    candle,
    isFinal: row.get("is_final") === true,
    sourcePartition: num(row.get("source_partition")),
    lastOffset: longText(row.get("last_offset")),
    updatedAtMs: ms(row.get("updated_at")),
    indicators: indicatorsFromRow(row),
  };
}

/**
 * A stream_progress row as a symbol clock. Rows from before migration 009 have no per-interval
 * marks: the partition's static drained watermark stands for every interval.
 */
function clockFromRow(row: Row): { symbol: string; clock: SymbolClock } | undefined {
  const symbol = row.get("symbol") as string | null;
  const first = num(row.get("first_event_ts_ms"));
  const max = num(row.get("max_event_ts_ms"));
  if (symbol === null || first === undefined || max === undefined) return undefined;
  const closedThroughMs: Partial<Record<Interval, number>> = {};
  const marks = row.get("closed_through") as Record<string, unknown> | null;
  if (marks !== null && marks !== undefined) {
    for (const [interval, ms] of Object.entries(marks)) if (isInterval(interval)) closedThroughMs[interval] = num(ms);
  } else {
    const drained = num(row.get("drained_through_ms"));
    if (drained !== undefined) for (const interval of STREAM_INTERVALS) closedThroughMs[interval] = drained;
  }
  return { symbol, clock: { firstEventTsMs: first, maxEventTsMs: max, closedThroughMs } };
}

function indicatorsFromRow(row: Row): CandleIndicators {
  const out: CandleIndicators = {};
  for (const name of ["sma20", "sma50", "ema20", "ema50", "rv20"] as const) {
    const value = num(row.get(name));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Prepared, keyspace-qualified access to one tickstream keyspace over a shared client. */
/** A result row: what the row mappers read. */
type StoredRow = { get(column: string): unknown };

/** The Trade fields of a stored trades row (venue and the suspicious flag only when set). */
function tradeOfRow(symbol: string, row: StoredRow): Trade {
  const trade: Trade = {
    symbol,
    ts: ms(row.get("ts")) ?? 0,
    tradeId: row.get("trade_id") as string,
    price: row.get("price") as number,
    size: row.get("size") as number,
  };
  const venue = row.get("venue") as string | null;
  if (venue !== null) trade.venue = venue;
  if (row.get("suspicious") === true) trade.suspicious = true;
  return trade;
}

/** The Quote fields of a stored quotes row (a side only when it was quoted). */
function quoteOfRow(symbol: string, row: StoredRow): Quote {
  const quote: Quote = { symbol, ts: ms(row.get("ts")) ?? 0 };
  const venue = row.get("venue") as string | null;
  if (venue !== null) quote.venue = venue;
  const bid = num(row.get("bid"));
  const ask = num(row.get("ask"));
  if (bid !== undefined) Object.assign(quote, { bid, bidSize: num(row.get("bid_size")) ?? 0 });
  if (ask !== undefined) Object.assign(quote, { ask, askSize: num(row.get("ask_size")) ?? 0 });
  return quote;
}

export type CassandraStoreOptions = {
  /** Concurrent requests of one bulk write or read. */
  concurrency?: number;
  /** Most (estimated) bytes of one UNLOGGED single-partition batch. */
  batchBytes?: number;
  /** TTL of raw tick rows in seconds (0: no TTL), see migration 009. */
  rawTtlSeconds?: number;
};

export function createCassandraStore(client: CassandraClient, keyspace: string, options: CassandraStoreOptions = {}) {
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace)) throw new Error(`bad keyspace name "${keyspace}"`);
  const ks = keyspace;
  const concurrency = options.concurrency ?? 64;
  const rawTtlSeconds = options.rawTtlSeconds ?? 0;
  const batched = (query: string, rows: readonly PartitionedRow[]) =>
    executeBatched(client, query, rows, { maxBytes: options.batchBytes ?? 32_768, concurrency });
  const q = {
    trade: `INSERT INTO ${ks}.trades (symbol, day, ts, trade_id, price, size, venue, suspicious, bid, ask, side, effective_spread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
    quote: `INSERT INTO ${ks}.quotes (symbol, day, ts, source_partition, source_offset, venue, bid, bid_size, ask, ask_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
    price: `INSERT INTO ${ks}.prices (symbol, day, ts, kind, price) VALUES (?, ?, ?, ?, ?) USING TTL ?`,
    tradeExists: `SELECT trade_id FROM ${ks}.trades WHERE symbol = ? AND day = ? AND ts = ? AND trade_id = ?`,
    alert: `INSERT INTO ${ks}.alerts (day, ts, alert_id, symbol, kind, severity, details) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    candle: `INSERT INTO ${ks}.candles (symbol, interval, bucket, window_start, open, high, low, close, volume, notional, vwap, trade_count, first_ts, first_trade_id, last_ts, last_trade_id, is_final, source_partition, last_offset, updated_at, sma20, sma50, ema20, ema50, rv20) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    readCandle: `SELECT ${CANDLE_COLUMNS} FROM ${ks}.candles WHERE symbol = ? AND interval = ? AND bucket = ? AND window_start = ?`,
    rangeCandles: `SELECT ${CANDLE_COLUMNS} FROM ${ks}.candles WHERE symbol = ? AND interval = ? AND bucket = ? AND window_start >= ? AND window_start <= ? LIMIT ?`,
    latestTrade: `UPDATE ${ks}.latest SET ts = ?, day = ?, last_price = ?, last_trade_id = ?, day_open = ?, day_first_ts = ?, day_first_trade_id = ?, day_high = ?, day_low = ?, day_volume = ?, prev_close = ?, source_partition = ?, last_offset = ?, updated_at = ? WHERE symbol = ?`,
    latestQuote: `UPDATE ${ks}.latest SET bid = ?, ask = ?, bid_size = ?, ask_size = ?, quote_ts = ? WHERE symbol = ?`,
    readLatest: `SELECT symbol, ts, day, last_price, last_trade_id, day_open, day_first_ts, day_first_trade_id, day_high, day_low, day_volume, prev_close, bid, ask, bid_size, ask_size, quote_ts, source_partition, last_offset FROM ${ks}.latest WHERE symbol = ?`,
    // last_seen carries its event time as write time, so the newest wins whatever the write order.
    symbolSeen: `UPDATE ${ks}.symbols USING TIMESTAMP ? SET last_seen = ? WHERE symbol = ?`,
    symbolFirst: `UPDATE ${ks}.symbols SET first_seen = ? WHERE symbol = ?`,
    readSymbol: `SELECT symbol, first_seen, last_seen FROM ${ks}.symbols WHERE symbol = ?`,
    candlesAsc: `SELECT ${CANDLE_COLUMNS} FROM ${ks}.candles WHERE symbol = ? AND interval = ? AND bucket = ? AND window_start >= ? AND window_start < ? ORDER BY window_start ASC`,
    tradesAsc: `SELECT ts, trade_id, price, size, venue, suspicious FROM ${ks}.trades WHERE symbol = ? AND day = ? ORDER BY ts ASC, trade_id ASC`,
    quotesAsc: `SELECT ts, venue, bid, bid_size, ask, ask_size FROM ${ks}.quotes WHERE symbol = ? AND day = ? ORDER BY ts ASC, source_partition DESC, source_offset ASC`,
    tradeRowsAsc: `SELECT ts, trade_id, price, size, venue, suspicious, bid, ask, side, effective_spread FROM ${ks}.trades WHERE symbol = ? AND day = ? ORDER BY ts ASC, trade_id ASC`,
    quoteRowsAsc: `SELECT ts, source_partition, source_offset, venue, bid, bid_size, ask, ask_size FROM ${ks}.quotes WHERE symbol = ? AND day = ? ORDER BY ts ASC, source_partition DESC, source_offset ASC`,
    allSymbols: `SELECT symbol, first_seen, last_seen FROM ${ks}.symbols`,
    dataQuality: `INSERT INTO ${ks}.data_quality (day, symbol, trade_count, quote_count, first_trade_ts, last_trade_ts, gap_threshold_ms, gap_count, longest_gap_ms, longest_gap_start, duplicate_trade_ids, duplicate_check_complete, outlier_spreads, outlier_trades, trades_without_quote, crossed_quotes, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    readDataQuality: `SELECT day, symbol, trade_count, quote_count, first_trade_ts, last_trade_ts, gap_threshold_ms, gap_count, longest_gap_ms, longest_gap_start, duplicate_trade_ids, duplicate_check_complete, outlier_spreads, outlier_trades, trades_without_quote, crossed_quotes FROM ${ks}.data_quality WHERE day = ?`,
    progressSymbol: `INSERT INTO ${ks}.stream_progress (consumer_group, topic, partition, symbol, first_event_ts_ms, max_event_ts_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    progressClosed: `UPDATE ${ks}.stream_progress SET closed_through = closed_through + ? WHERE consumer_group = ? AND topic = ? AND partition = ? AND symbol = ?`,
    readProgress: `SELECT symbol, drained_through_ms, first_event_ts_ms, max_event_ts_ms, closed_through FROM ${ks}.stream_progress WHERE consumer_group = ? AND topic = ? AND partition = ?`,
    readSymbolProgress: `SELECT symbol, drained_through_ms, first_event_ts_ms, max_event_ts_ms, closed_through FROM ${ks}.stream_progress WHERE consumer_group = ? AND topic = ? AND partition = ? AND symbol = ?`,
  };

  return {
    keyspace,

    /** Upserts raw trades (key: symbol, day, ts, trade id) in single-partition batches, with the raw TTL. */
    writeTrades(rows: readonly TradeRow[]): Promise<void> {
      return batched(
        q.trade,
        rows.map((t) => {
          const day = dayKey(t.ts);
          return {
            partitionKey: `${t.symbol}|${day}`,
            params: [
              t.symbol,
              day,
              new Date(t.ts),
              t.tradeId,
              t.price,
              t.size,
              t.venue,
              t.suspicious ?? false,
              t.bid,
              t.ask,
              t.side,
              t.effectiveSpread,
              rawTtlSeconds,
            ],
          };
        }),
      );
    },

    /** Upserts raw quotes (key: symbol, day, ts, source partition and offset) in single-partition batches; absent sides stay unset. */
    writeQuotes(rows: readonly QuoteRow[]): Promise<void> {
      return batched(
        q.quote,
        rows.map((r) => {
          const day = dayKey(r.ts);
          return {
            partitionKey: `${r.symbol}|${day}`,
            params: [
              r.symbol,
              day,
              new Date(r.ts),
              r.sourcePartition,
              toLong(r.sourceOffset),
              r.venue,
              r.bid,
              r.bidSize,
              r.ask,
              r.askSize,
              rawTtlSeconds,
            ],
          };
        }),
      );
    },

    /** Upserts raw reference/close/last prices (key: symbol, day, ts, kind). */
    writePrices(rows: readonly Price[]): Promise<void> {
      return batched(
        q.price,
        rows.map((p) => {
          const day = dayKey(p.ts);
          return { partitionKey: `${p.symbol}|${day}`, params: [p.symbol, day, new Date(p.ts), p.kind, p.price, rawTtlSeconds] };
        }),
      );
    },

    /** `${symbol}|${ts}|${tradeId}` of the given trades that the raw table holds (the stream's de-duplication). */
    async storedTradeKeys(trades: readonly { symbol: string; ts: number; tradeId: string }[]): Promise<Set<string>> {
      const found = await mapConcurrent(
        trades,
        concurrency,
        async (t) => (await client.execute(q.tradeExists, [t.symbol, dayKey(t.ts), new Date(t.ts), t.tradeId])).rowLength > 0,
      );
      return new Set(trades.filter((_, i) => found[i]).map((t) => `${t.symbol}|${t.ts}|${t.tradeId}`));
    },

    /** Upserts alerts (key: day, ts, derived alert id), so a replayed alert rewrites its row. */
    writeAlerts(rows: readonly AlertRow[]): Promise<void> {
      return batched(
        q.alert,
        rows.map((a) => {
          const day = dayKey(a.tsMs);
          return { partitionKey: day, params: [day, new Date(a.tsMs), a.alertId, a.symbol, a.kind, a.severity, a.details] };
        }),
      );
    },

    /** Upserts candles (key: symbol, interval, bucket, window start) in single-partition batches, whole rows but for absent indicators. */
    writeCandles(rows: readonly CandleRow[], nowMs: number): Promise<void> {
      const updatedAt = new Date(nowMs);
      return batched(
        q.candle,
        rows.map(({ candle: c, isFinal, sourcePartition, lastOffset, indicators: ind = {} }) => {
          const bucket = candleBucket(c.interval, c.windowStart);
          return {
            partitionKey: `${c.symbol}|${c.interval}|${bucket}`,
            params: [
              c.symbol,
              c.interval,
              bucket,
              new Date(c.windowStart),
              c.open,
              c.high,
              c.low,
              c.close,
              c.volume,
              c.notional,
              c.vwap,
              c.tradeCount,
              new Date(c.firstTs),
              c.firstTradeId,
              new Date(c.lastTs),
              c.lastTradeId,
              isFinal,
              sourcePartition,
              toLong(lastOffset),
              updatedAt,
              // undefined binds as "unset": a row rewritten without indicators keeps the stored ones.
              ind.sma20,
              ind.sma50,
              ind.ema20,
              ind.ema50,
              ind.rv20,
            ],
          };
        }),
      );
    },

    /** One stored candle per key (undefined where none), in input order. */
    readCandles(keys: readonly CandleKeyRef[]): Promise<(StoredCandle | undefined)[]> {
      return mapConcurrent(keys, concurrency, async (k) => {
        const result = await client.execute(q.readCandle, [
          k.symbol,
          k.interval,
          candleBucket(k.interval, k.windowStart),
          new Date(k.windowStart),
        ]);
        const row = result.first();
        return row ? candleFromRow(row) : undefined;
      });
    },

    /**
     * Candles of one symbol and interval with window start in [fromMs, toMs], newest first, at most
     * `limit` (reads only the buckets the range spans, newest bucket first).
     */
    async getCandles(symbol: string, interval: Interval, fromMs: number, toMs: number, limit = 1_000): Promise<StoredCandle[]> {
      const out: StoredCandle[] = [];
      for (const bucket of candleBucketsBetween(interval, fromMs, toMs).reverse()) {
        if (out.length >= limit) break;
        const result = await client.execute(q.rangeCandles, [
          symbol,
          interval,
          bucket,
          new Date(fromMs),
          new Date(toMs),
          limit - out.length,
        ]);
        for (const row of result.rows) out.push(candleFromRow(row));
      }
      return out;
    },

    /** Writes the trade-side latest state of symbols with the Kafka position it covers. */
    writeLatestTrades(rows: readonly StoredLatest[], nowMs: number): Promise<void> {
      const updatedAt = new Date(nowMs);
      return executeMany(
        client,
        q.latestTrade,
        rows.map(({ state: s, sourcePartition, lastOffset }) => [
          new Date(s.lastTs),
          s.day,
          s.lastPrice,
          s.lastTradeId,
          s.dayOpen,
          new Date(s.dayFirstTs),
          s.dayFirstTradeId,
          s.dayHigh,
          s.dayLow,
          s.dayVolume,
          s.prevClose,
          sourcePartition,
          toLong(lastOffset),
          updatedAt,
          s.symbol,
        ]),
        concurrency,
      );
    },

    /** Writes the NBBO columns of the latest rows. */
    writeLatestQuotes(rows: readonly NbboRow[]): Promise<void> {
      return executeMany(
        client,
        q.latestQuote,
        rows.map((r) => [r.bid, r.ask, r.bidSize, r.askSize, new Date(r.tsMs), r.symbol]),
        concurrency,
      );
    },

    /** Trade-side latest state per symbol (undefined where none), in input order. */
    readLatestStates(symbols: readonly string[]): Promise<(StoredLatest | undefined)[]> {
      return mapConcurrent(symbols, concurrency, async (symbol) => {
        const row = (await client.execute(q.readLatest, [symbol])).first();
        if (!row || row.get("day") === null || row.get("last_trade_id") === null) return undefined;
        const state: LatestState = {
          symbol,
          day: row.get("day") as string,
          lastTs: ms(row.get("ts")) ?? 0,
          lastTradeId: row.get("last_trade_id") as string,
          lastPrice: row.get("last_price") as number,
          dayFirstTs: ms(row.get("day_first_ts")) ?? 0,
          dayFirstTradeId: (row.get("day_first_trade_id") as string | null) ?? "",
          dayOpen: row.get("day_open") as number,
          dayHigh: row.get("day_high") as number,
          dayLow: row.get("day_low") as number,
          dayVolume: row.get("day_volume") as number,
          prevClose: num(row.get("prev_close")),
        };
        return { state, sourcePartition: num(row.get("source_partition")), lastOffset: longText(row.get("last_offset")) };
      });
    },

    /** The latest rows of `symbols` as the app shows them (undefined where the symbol has none). */
    getLatest(symbols: readonly string[]): Promise<(LatestView | undefined)[]> {
      return mapConcurrent(symbols, concurrency, async (symbol) => {
        const row = (await client.execute(q.readLatest, [symbol])).first();
        if (!row) return undefined;
        const lastPrice = num(row.get("last_price"));
        const prevClose = num(row.get("prev_close"));
        return {
          symbol,
          tsMs: ms(row.get("ts")),
          day: (row.get("day") as string | null) ?? undefined,
          lastPrice,
          dayOpen: num(row.get("day_open")),
          dayHigh: num(row.get("day_high")),
          dayLow: num(row.get("day_low")),
          dayVolume: num(row.get("day_volume")),
          prevClose,
          dayChange: lastPrice !== undefined && prevClose !== undefined ? lastPrice - prevClose : undefined,
          bid: num(row.get("bid")),
          ask: num(row.get("ask")),
          bidSize: num(row.get("bid_size")),
          askSize: num(row.get("ask_size")),
          quoteTsMs: ms(row.get("quote_ts")),
        };
      });
    },

    /** Records symbols as seen: last_seen keeps the newest event time; first_seen is set where given. */
    async writeSymbolsSeen(rows: readonly { symbol: string; lastSeenMs: number; firstSeenMs?: number }[]): Promise<void> {
      await executeMany(
        client,
        q.symbolSeen,
        rows.map((r) => [cassandraTypes.Long.fromNumber(r.lastSeenMs * 1000), new Date(r.lastSeenMs), r.symbol]),
        concurrency,
      );
      const firsts = rows.filter((r) => r.firstSeenMs !== undefined);
      await executeMany(
        client,
        q.symbolFirst,
        firsts.map((r) => [new Date(r.firstSeenMs ?? 0), r.symbol]),
        concurrency,
      );
    },

    /** first_seen of symbols (undefined where unknown), in input order. */
    readSymbolsFirstSeen(symbols: readonly string[]): Promise<(number | undefined)[]> {
      return mapConcurrent(symbols, concurrency, async (symbol) =>
        ms((await client.execute(q.readSymbol, [symbol])).first()?.get("first_seen")),
      );
    },

    /** Writes symbols' first and max event time of one source partition (before the candle writes they cover). */
    writeProgressSymbols(
      key: ProgressKey,
      rows: readonly { symbol: string; firstEventTsMs: number; maxEventTsMs: number }[],
      nowMs: number,
    ): Promise<void> {
      const updatedAt = new Date(nowMs);
      return batched(
        q.progressSymbol,
        rows.map((r) => ({
          partitionKey: "",
          params: [
            key.group,
            key.topic,
            key.partition,
            r.symbol,
            cassandraTypes.Long.fromNumber(r.firstEventTsMs),
            cassandraTypes.Long.fromNumber(r.maxEventTsMs),
            updatedAt,
          ],
        })),
      );
    },

    /** Writes symbols' per-interval closed marks (windows ending at or before are stored final), after those writes. */
    writeProgressClosed(
      key: ProgressKey,
      rows: readonly { symbol: string; closedThroughMs: Partial<Record<Interval, number>> }[],
    ): Promise<void> {
      return batched(
        q.progressClosed,
        rows.map((r) => ({
          partitionKey: "",
          params: [
            Object.fromEntries(Object.entries(r.closedThroughMs).map(([interval, ms]) => [interval, cassandraTypes.Long.fromNumber(ms)])),
            key.group,
            key.topic,
            key.partition,
            r.symbol,
          ],
        })),
      );
    },

    /** Candles of one symbol and interval with window start in [fromMs, toMs), oldest first, read page by page. */
    async *eachCandle(symbol: string, interval: Interval, fromMs: number, toMs: number, pageSize = 500): AsyncGenerator<StoredCandle> {
      for (const bucket of candleBucketsBetween(interval, fromMs, toMs - 1)) {
        const result = await client.execute(q.candlesAsc, [symbol, interval, bucket, new Date(fromMs), new Date(toMs)], {
          fetchSize: pageSize,
        });
        for await (const row of result) yield candleFromRow(row);
      }
    },

    /** Stored trades of one symbol and UTC day in (ts, trade id) order, read page by page. */
    async *eachTrade(symbol: string, day: string, pageSize = 2_000): AsyncGenerator<Trade> {
      const result = await client.execute(q.tradesAsc, [symbol, day], { fetchSize: pageSize });
      for await (const row of result) yield tradeOfRow(symbol, row);
    },

    /** Stored quotes of one symbol and UTC day in ts order, read page by page. */
    async *eachQuote(symbol: string, day: string, pageSize = 2_000): AsyncGenerator<Quote> {
      const result = await client.execute(q.quotesAsc, [symbol, day], { fetchSize: pageSize });
      for await (const row of result) yield quoteOfRow(symbol, row);
    },

    /** Whole stored trade rows (with their NBBO join) of one symbol and UTC day in (ts, trade id) order, page by page (the archive). */
    async *eachTradeRow(symbol: string, day: string, pageSize = 2_000): AsyncGenerator<TradeRow> {
      const result = await client.execute(q.tradeRowsAsc, [symbol, day], { fetchSize: pageSize });
      for await (const row of result) {
        const trade: TradeRow = tradeOfRow(symbol, row);
        const bid = num(row.get("bid"));
        const ask = num(row.get("ask"));
        const side = row.get("side") as string | null;
        const effectiveSpread = num(row.get("effective_spread"));
        if (bid !== undefined) trade.bid = bid;
        if (ask !== undefined) trade.ask = ask;
        if (side !== null) trade.side = side;
        if (effectiveSpread !== undefined) trade.effectiveSpread = effectiveSpread;
        yield trade;
      }
    },

    /** Whole stored quote rows (with their Kafka position) of one symbol and UTC day in ts order, page by page (the archive). */
    async *eachQuoteRow(symbol: string, day: string, pageSize = 2_000): AsyncGenerator<QuoteRow> {
      const result = await client.execute(q.quoteRowsAsc, [symbol, day], { fetchSize: pageSize });
      for await (const row of result) {
        yield {
          ...quoteOfRow(symbol, row),
          sourcePartition: num(row.get("source_partition")) ?? 0,
          sourceOffset: longText(row.get("source_offset")) ?? "0",
        };
      }
    },

    /**
     * Symbols whose [first_seen, last_seen] overlaps [fromMs, toMs), sorted; pages through the
     * symbols table (one row per listed symbol), keeping only the names.
     */
    async symbolsSeenBetween(fromMs: number, toMs: number): Promise<string[]> {
      const result = await client.execute(q.allSymbols, [], { fetchSize: 1_000 });
      const out: string[] = [];
      for await (const row of result) {
        const first = ms(row.get("first_seen"));
        const last = ms(row.get("last_seen"));
        if ((first === undefined || first < toMs) && (last === undefined || last >= fromMs)) out.push(row.get("symbol") as string);
      }
      return out.sort();
    },

    /** Upserts data-quality reports (key: day, symbol). */
    writeDataQuality(reports: readonly DataQualityReport[], nowMs: number): Promise<void> {
      const computedAt = new Date(nowMs);
      const date = (value: number | undefined) => (value === undefined ? null : new Date(value));
      return executeMany(
        client,
        q.dataQuality,
        reports.map((r) => [
          r.day,
          r.symbol,
          r.tradeCount,
          r.quoteCount,
          date(r.firstTradeTs),
          date(r.lastTradeTs),
          cassandraTypes.Long.fromNumber(r.gapThresholdMs),
          r.gapCount,
          cassandraTypes.Long.fromNumber(r.longestGapMs),
          date(r.longestGapStartTs),
          r.duplicateTradeIds,
          r.duplicateCheckComplete,
          r.outlierSpreads,
          r.outlierTrades,
          r.tradesWithoutQuote,
          r.crossedQuotes,
          computedAt,
        ]),
        concurrency,
      );
    },

    /** The data-quality reports of one UTC day, by symbol (one partition, bounded by the symbol count). */
    async readDataQuality(day: string): Promise<DataQualityReport[]> {
      const result = await client.execute(q.readDataQuality, [day], { fetchSize: 1_000 });
      const out: DataQualityReport[] = [];
      for await (const row of result) {
        out.push({
          day: row.get("day") as string,
          symbol: row.get("symbol") as string,
          tradeCount: row.get("trade_count") as number,
          quoteCount: row.get("quote_count") as number,
          firstTradeTs: ms(row.get("first_trade_ts")),
          lastTradeTs: ms(row.get("last_trade_ts")),
          gapThresholdMs: num(row.get("gap_threshold_ms")) ?? 0,
          gapCount: row.get("gap_count") as number,
          longestGapMs: num(row.get("longest_gap_ms")) ?? 0,
          longestGapStartTs: ms(row.get("longest_gap_start")),
          duplicateTradeIds: row.get("duplicate_trade_ids") as number,
          duplicateCheckComplete: row.get("duplicate_check_complete") === true,
          outlierSpreads: row.get("outlier_spreads") as number,
          outlierTrades: row.get("outlier_trades") as number,
          tradesWithoutQuote: row.get("trades_without_quote") as number,
          crossedQuotes: row.get("crossed_quotes") as number,
        });
      }
      return out;
    },

    /** Every symbol's clock stored for one (group, topic, partition). */
    async readProgress(key: ProgressKey): Promise<StreamProgress> {
      const result = await client.execute(q.readProgress, [key.group, key.topic, key.partition], { fetchSize: 5_000 });
      const progress: StreamProgress = new Map();
      for await (const row of result) {
        const clock = clockFromRow(row);
        if (clock) progress.set(clock.symbol, clock.clock);
      }
      return progress;
    },

    /** One symbol's stored clock on one (group, topic, partition), if any. */
    async readSymbolProgress(key: ProgressKey, symbol: string): Promise<SymbolClock | undefined> {
      const row = (await client.execute(q.readSymbolProgress, [key.group, key.topic, key.partition, symbol])).first();
      return row ? clockFromRow(row)?.clock : undefined;
    },
  };
}

export type CassandraStore = ReturnType<typeof createCassandraStore>;
