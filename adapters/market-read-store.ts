// The web app's reads of the market tables (symbols, latest, candles, trades, alerts, data quality):
// prepared, keyspace-qualified statements that select only the columns the API shows, and the row
// mappers of those projections. Unset or unusable columns come back undefined; what the API makes of
// them (null, 0, a default) is the caller's. The stream worker's and batch jobs' reads and all
// writes are in cassandra-store.ts, whose data-quality reader this store reuses.
import { candleBucketsBetween, type Interval } from "../core/intervals";
import type { DataQualityReport } from "../core/data-quality";
import type { CassandraClient } from "./cassandra";
import { finiteNumberOf, msOf, textOf, type Row } from "./cassandra-columns";
import { createCassandraStore } from "./cassandra-store";

/** A symbols row. */
export interface SymbolRow {
  symbol: string;
  name: string | undefined;
  firstSeenMs: number | undefined;
  lastSeenMs: number | undefined;
}

/** The columns of a latest row the app shows: the last trade, the day so far, the prevailing quote. */
export interface LatestRow {
  symbol: string;
  /** Event time of the last trade. */
  tsMs: number | undefined;
  /** UTC day (YYYY-MM-DD) of the day fields. */
  day: string | undefined;
  lastPrice: number | undefined;
  dayOpen: number | undefined;
  dayHigh: number | undefined;
  dayLow: number | undefined;
  dayVolume: number | undefined;
  prevClose: number | undefined;
  bid: number | undefined;
  ask: number | undefined;
  bidSize: number | undefined;
  askSize: number | undefined;
  quoteTsMs: number | undefined;
}

/** The chart's columns of a candle row. OHLC are read as stored (the stream always writes them). */
export interface CandleBar {
  windowStartMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** As stored (undefined when unset). */
  volume: number | undefined;
  /** Undefined when unset or not finite (a bar without volume). */
  vwap: number | undefined;
  tradeCount: number | undefined;
  isFinal: boolean | undefined;
}

/** A candle's close and window start (sparklines). */
export interface CandleClose {
  windowStartMs: number;
  close: number;
}

/** The columns of a trades row the tape shows. */
export interface TapeTrade {
  tsMs: number | undefined;
  tradeId: string;
  price: number | undefined;
  size: number | undefined;
  venue: string | undefined;
  /** Aggressor side as stored (the stream writes "buy" or "sell"). */
  side: string | undefined;
  bid: number | undefined;
  ask: number | undefined;
}

/** An alerts row as stored. */
export interface StoredAlert {
  alertId: string;
  tsMs: number | undefined;
  symbol: string | undefined;
  kind: string | undefined;
  severity: number | undefined;
  details: string | undefined;
}

/** Partitions ("buckets") of one candle range read at once. */
const CANDLE_BUCKET_READ_CONCURRENCY = 4;
/** Rows per round trip of the small full-table scans (symbols, latest: one row per symbol). */
const SCAN_FETCH_SIZE = 1_000;

function symbolFromRow(row: Row): SymbolRow {
  return {
    symbol: row.get("symbol") as string,
    name: textOf(row, "name"),
    firstSeenMs: msOf(row, "first_seen"),
    lastSeenMs: msOf(row, "last_seen"),
  };
}

function latestFromRow(row: Row): LatestRow {
  return {
    symbol: row.get("symbol") as string,
    tsMs: msOf(row, "ts"),
    day: textOf(row, "day"),
    lastPrice: finiteNumberOf(row, "last_price"),
    dayOpen: finiteNumberOf(row, "day_open"),
    dayHigh: finiteNumberOf(row, "day_high"),
    dayLow: finiteNumberOf(row, "day_low"),
    dayVolume: finiteNumberOf(row, "day_volume"),
    prevClose: finiteNumberOf(row, "prev_close"),
    bid: finiteNumberOf(row, "bid"),
    ask: finiteNumberOf(row, "ask"),
    bidSize: finiteNumberOf(row, "bid_size"),
    askSize: finiteNumberOf(row, "ask_size"),
    quoteTsMs: msOf(row, "quote_ts"),
  };
}

function candleBarFromRow(row: Row): CandleBar {
  return {
    windowStartMs: (row.get("window_start") as Date).getTime(),
    open: row.get("open") as number,
    high: row.get("high") as number,
    low: row.get("low") as number,
    close: row.get("close") as number,
    volume: (row.get("volume") as number | null) ?? undefined,
    vwap: finiteNumberOf(row, "vwap"),
    tradeCount: (row.get("trade_count") as number | null) ?? undefined,
    isFinal: (row.get("is_final") as boolean | null) ?? undefined,
  };
}

function candleCloseFromRow(row: Row): CandleClose {
  return { windowStartMs: (row.get("window_start") as Date).getTime(), close: row.get("close") as number };
}

function tapeTradeFromRow(row: Row): TapeTrade {
  return {
    tsMs: msOf(row, "ts"),
    tradeId: row.get("trade_id") as string,
    price: finiteNumberOf(row, "price"),
    size: finiteNumberOf(row, "size"),
    venue: textOf(row, "venue"),
    side: textOf(row, "side"),
    bid: finiteNumberOf(row, "bid"),
    ask: finiteNumberOf(row, "ask"),
  };
}

function alertFromRow(row: Row): StoredAlert {
  return {
    alertId: row.get("alert_id") as string,
    tsMs: msOf(row, "ts"),
    symbol: textOf(row, "symbol"),
    kind: textOf(row, "kind"),
    severity: finiteNumberOf(row, "severity"),
    details: textOf(row, "details"),
  };
}

/** The web app's prepared reads of one keyspace over a shared client. */
export function createMarketReadStore(client: CassandraClient, keyspace: string) {
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace)) throw new Error(`bad keyspace name "${keyspace}"`);
  const ks = keyspace;
  const tables = createCassandraStore(client, keyspace);
  const LATEST_COLUMNS =
    "symbol, ts, day, last_price, day_open, day_high, day_low, day_volume, prev_close, bid, ask, bid_size, ask_size, quote_ts";
  const TAPE_COLUMNS = "ts, trade_id, price, size, venue, side, bid, ask";
  const q = {
    symbol: `SELECT symbol, name, first_seen, last_seen FROM ${ks}.symbols WHERE symbol = ?`,
    symbols: `SELECT symbol, name, first_seen, last_seen FROM ${ks}.symbols`,
    symbolListed: `SELECT symbol FROM ${ks}.symbols WHERE symbol = ?`,
    symbolHasLatest: `SELECT symbol FROM ${ks}.latest WHERE symbol = ?`,
    latest: `SELECT ${LATEST_COLUMNS} FROM ${ks}.latest WHERE symbol = ?`,
    allLatest: `SELECT ${LATEST_COLUMNS} FROM ${ks}.latest`,
    candleBars:
      `SELECT window_start, open, high, low, close, volume, vwap, trade_count, is_final FROM ${ks}.candles ` +
      `WHERE symbol = ? AND interval = ? AND bucket = ? AND window_start >= ? AND window_start <= ? LIMIT ?`,
    newestCloses: `SELECT window_start, close FROM ${ks}.candles WHERE symbol = ? AND interval = ? AND bucket = ? LIMIT ?`,
    newestClosesThrough: `SELECT window_start, close FROM ${ks}.candles WHERE symbol = ? AND interval = ? AND bucket = ? AND window_start <= ? LIMIT ?`,
    trades: `SELECT ${TAPE_COLUMNS} FROM ${ks}.trades WHERE symbol = ? AND day = ? LIMIT ?`,
    tradesBefore: `SELECT ${TAPE_COLUMNS} FROM ${ks}.trades WHERE symbol = ? AND day = ? AND (ts, trade_id) < (?, ?) LIMIT ?`,
    alerts: `SELECT ts, alert_id, symbol, kind, severity, details FROM ${ks}.alerts WHERE day = ? LIMIT ?`,
  };

  /** Rows of a full scan, mapped, paged `SCAN_FETCH_SIZE` per round trip; at most `maxRows`. */
  async function scan<T>(query: string, map: (row: Row) => T, maxRows: number): Promise<T[]> {
    const result = await client.execute(query, [], { prepare: true, fetchSize: SCAN_FETCH_SIZE });
    const out: T[] = [];
    for await (const row of result) {
      if (out.length >= maxRows) break;
      out.push(map(row));
    }
    return out;
  }

  return {
    keyspace,

    /** The symbols row of `symbol`, if any. */
    async getSymbol(symbol: string): Promise<SymbolRow | undefined> {
      const row = (await client.execute(q.symbol, [symbol])).first();
      return row ? symbolFromRow(row) : undefined;
    },

    /** Every symbols row in token order, at most `maxRows` (one small row per symbol seen). */
    listSymbols(maxRows = Number.POSITIVE_INFINITY): Promise<SymbolRow[]> {
      return scan(q.symbols, symbolFromRow, maxRows);
    },

    /** True when the symbol has been seen: it has a symbols or a latest row. */
    async symbolExists(symbol: string): Promise<boolean> {
      const [listed, latest] = await Promise.all([client.execute(q.symbolListed, [symbol]), client.execute(q.symbolHasLatest, [symbol])]);
      return listed.rowLength > 0 || latest.rowLength > 0;
    },

    /** The latest row of `symbol`, if any. */
    async getLatest(symbol: string): Promise<LatestRow | undefined> {
      const row = (await client.execute(q.latest, [symbol])).first();
      return row ? latestFromRow(row) : undefined;
    },

    /** Every latest row in token order (one small row per symbol: the table is the symbol universe). */
    listLatest(): Promise<LatestRow[]> {
      return scan(q.allLatest, latestFromRow, Number.POSITIVE_INFINITY);
    },

    /**
     * Candles of one symbol and interval with window start in [fromMs, toMs], newest first, at most
     * `limit`: reads the partitions the range spans from the newest back, a few at a time, and stops
     * once `limit` are read.
     */
    async candleBars(symbol: string, interval: Interval, fromMs: number, toMs: number, limit: number): Promise<CandleBar[]> {
      const bars: CandleBar[] = [];
      const buckets = candleBucketsBetween(interval, fromMs, toMs).reverse();
      for (let i = 0; i < buckets.length && bars.length < limit; i += CANDLE_BUCKET_READ_CONCURRENCY) {
        const remaining = limit - bars.length;
        // A page as large as the LIMIT: `rows` holds only the first page, and a 1s bucket (a day)
        // can hold more rows than the driver's default page of 5,000.
        const pages = await Promise.all(
          buckets.slice(i, i + CANDLE_BUCKET_READ_CONCURRENCY).map((bucket) =>
            client.execute(q.candleBars, [symbol, interval, bucket, new Date(fromMs), new Date(toMs), remaining], {
              prepare: true,
              fetchSize: remaining,
            }),
          ),
        );
        for (const page of pages) for (const row of page.rows) if (bars.length < limit) bars.push(candleBarFromRow(row));
      }
      return bars;
    },

    /**
     * The newest `limit` closes of one candle partition (symbol, interval, bucket), newest first;
     * with `throughMs`, only of windows starting at or before it.
     */
    async newestCloses(symbol: string, interval: Interval, bucket: string, limit: number, throughMs?: number): Promise<CandleClose[]> {
      const result =
        throughMs === undefined
          ? await client.execute(q.newestCloses, [symbol, interval, bucket, limit])
          : await client.execute(q.newestClosesThrough, [symbol, interval, bucket, new Date(throughMs), limit]);
      return result.rows.map(candleCloseFromRow);
    },

    /**
     * The newest `limit` trades of `symbol` on UTC `day`, newest first; with `before`, only those
     * strictly before (ts, trade id).
     */
    async recentTrades(symbol: string, day: string, limit: number, before?: { tsMs: number; tradeId: string }): Promise<TapeTrade[]> {
      const result =
        before === undefined
          ? await client.execute(q.trades, [symbol, day, limit])
          : await client.execute(q.tradesBefore, [symbol, day, new Date(before.tsMs), before.tradeId, limit]);
      return result.rows.map(tapeTradeFromRow);
    },

    /** The newest `limit` alerts of UTC `day` (one partition), newest first. */
    async alertsOfDay(day: string, limit: number): Promise<StoredAlert[]> {
      return (await client.execute(q.alerts, [day, limit])).rows.map(alertFromRow);
    },

    /** The data-quality reports of one UTC day, by symbol. */
    readDataQuality(day: string): Promise<DataQualityReport[]> {
      return tables.readDataQuality(day);
    },
  };
}

export type MarketReadStore = ReturnType<typeof createMarketReadStore>;
