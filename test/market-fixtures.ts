// Seeds one symbol's trading day into a keyspace the way the stream worker stores it: trades, their
// 1s/1m/5m/1h candles (folded with core/candles, so they agree with the trades), the latest row,
// the symbols row and an alert. Used by integration tests (own keyspace) and e2e specs (fresh symbol).
import { executeMany, type CassandraClient } from "../adapters/cassandra";
import { applyTrade, type Candle } from "../core/candles";
import { candleBucket, dayKey, STREAM_INTERVALS, windowStart } from "../core/intervals";
import { createPrng, nextNormal } from "../core/simulator";
import type { Trade } from "../core/schemas";

export interface SeedDayOptions {
  symbol: string;
  /** UTC day, e.g. "2013-10-07". */
  day: string;
  startPrice: number;
  /** Session start, minutes after UTC midnight (default 13:30, the NYSE open). */
  sessionStartMinute?: number;
  sessionMinutes?: number;
  tradeEveryMs?: number;
  /** Previous close for the latest row (change is then against it). */
  prevClose?: number;
  seed?: number;
}

export interface SeededDay {
  trades: Trade[];
  candles: Map<string, Candle[]>;
  first: Trade;
  last: Trade;
  sessionStartMs: number;
  sessionEndMs: number;
}

/** The trades and candles a seed writes, computed without touching a database. */
export function buildDay(options: SeedDayOptions): SeededDay {
  const sessionStartMs = Date.parse(`${options.day}T00:00:00Z`) + (options.sessionStartMinute ?? 13 * 60 + 30) * 60_000;
  const sessionEndMs = sessionStartMs + (options.sessionMinutes ?? 390) * 60_000;
  const everyMs = options.tradeEveryMs ?? 15_000;
  const rng = createPrng(options.seed ?? 7, options.symbol);
  const trades: Trade[] = [];
  let price = options.startPrice;
  let n = 0;
  for (let ts = sessionStartMs; ts < sessionEndMs; ts += everyMs) {
    price = Math.max(0.01, Math.round(price * (1 + 0.0008 * nextNormal(rng)) * 100) / 100);
    trades.push({ symbol: options.symbol, ts, price, size: 100 * (1 + (n % 7)), tradeId: String(++n) });
  }
  const candles = new Map<string, Candle[]>();
  for (const interval of STREAM_INTERVALS) {
    const windows = new Map<number, Candle>();
    for (const trade of trades) {
      const start = windowStart(trade.ts, interval);
      const next = applyTrade(windows.get(start), trade, interval);
      if (next) windows.set(start, next);
    }
    candles.set(interval, [...windows.values()]);
  }
  return { trades, candles, first: trades[0] as Trade, last: trades[trades.length - 1] as Trade, sessionStartMs, sessionEndMs };
}

async function hasColumn(client: CassandraClient, keyspace: string, table: string, column: string): Promise<boolean> {
  const result = await client.execute(
    "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND column_name = ?",
    [keyspace, table, column],
  );
  return result.rowLength > 0;
}

/** Writes the day of `options.symbol` into `keyspace` and returns what was written. */
export async function seedDay(client: CassandraClient, keyspace: string, options: SeedDayOptions): Promise<SeededDay> {
  const seeded = buildDay(options);
  const { trades, first, last } = seeded;
  const day = dayKey(first.ts);
  const withSide = await hasColumn(client, keyspace, "trades", "side");
  const spreadOf = (price: number) => Math.max(0.01, Math.round(price * 0.0004 * 100) / 100);

  await executeMany(
    client,
    withSide
      ? `INSERT INTO ${keyspace}.trades (symbol, day, ts, trade_id, price, size, venue, bid, ask, side) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      : `INSERT INTO ${keyspace}.trades (symbol, day, ts, trade_id, price, size, venue) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    trades.map((t, i) => {
      const base = [t.symbol, day, new Date(t.ts), t.tradeId, t.price, t.size, "SIM"];
      if (!withSide) return base;
      const half = spreadOf(t.price) / 2;
      return [...base, t.price - half, t.price + half, i % 3 === 0 ? "sell" : "buy"];
    }),
  );

  const candleRows: unknown[][] = [];
  for (const list of seeded.candles.values()) {
    for (const c of list) {
      candleRows.push([
        c.symbol, c.interval, candleBucket(c.interval, c.windowStart), new Date(c.windowStart),
        c.open, c.high, c.low, c.close, c.volume, c.notional, c.vwap, c.tradeCount,
        new Date(c.firstTs), c.firstTradeId, new Date(c.lastTs), c.lastTradeId, true, new Date(),
      ]);
    }
  }
  await executeMany(
    client,
    `INSERT INTO ${keyspace}.candles (symbol, interval, bucket, window_start, open, high, low, close, volume, notional, vwap, trade_count, ` +
      `first_ts, first_trade_id, last_ts, last_trade_id, is_final, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    candleRows,
  );

  const prices = trades.map((t) => t.price);
  const half = spreadOf(last.price) / 2;
  await client.execute(
    `INSERT INTO ${keyspace}.latest (symbol, ts, day, last_price, day_open, day_high, day_low, day_volume, prev_close, bid, ask, bid_size, ask_size, updated_at) ` +
      `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      options.symbol, new Date(last.ts), day, last.price, first.price, Math.max(...prices), Math.min(...prices),
      trades.reduce((sum, t) => sum + t.size, 0), options.prevClose ?? null, last.price - half, last.price + half, 300, 500, new Date(),
    ],
  );
  await client.execute(`INSERT INTO ${keyspace}.symbols (symbol, name, first_seen, last_seen) VALUES (?, ?, ?, ?)`, [
    options.symbol, `${options.symbol} test listing`, new Date(first.ts), new Date(last.ts),
  ]);
  const mid = trades[Math.floor(trades.length / 2)] as Trade;
  await client.execute(`INSERT INTO ${keyspace}.alerts (day, ts, alert_id, symbol, kind, severity, details) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    day, new Date(mid.ts), `${options.symbol}:jump:${mid.ts}`, options.symbol, "price-jump", 4.2, "seeded alert",
  ]);
  return seeded;
}
