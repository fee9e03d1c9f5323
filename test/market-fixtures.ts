// Seeds one symbol's trading day into a keyspace the way the stream worker stores it, through the
// store's writers: trades, their 1s/1m/5m/1h candles (folded with core/candles, so they agree with
// the trades), the latest row (core/latest-state's fold, plus a quote), the symbols row and an
// alert. Used by integration tests (own keyspace) and e2e specs (fresh symbol).
import type { CassandraClient } from "../adapters/cassandra";
import { createCassandraStore } from "../adapters/cassandra-store";
import { applyTrade, type Candle } from "../core/candles";
import { STREAM_INTERVALS, windowStart } from "../core/intervals";
import { applyTradeToLatest, type LatestState } from "../core/latest-state";
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

/** Writes the day of `options.symbol` into `keyspace` and returns what was written. */
export async function seedDay(client: CassandraClient, keyspace: string, options: SeedDayOptions): Promise<SeededDay> {
  const seeded = buildDay(options);
  const { trades, last } = seeded;
  const store = createCassandraStore(client, keyspace);
  const nowMs = Date.now();
  const spreadOf = (price: number) => Math.max(0.01, Math.round(price * 0.0004 * 100) / 100);

  await store.writeTrades(
    trades.map((t, i) => {
      const half = spreadOf(t.price) / 2;
      return { ...t, venue: "SIM", bid: t.price - half, ask: t.price + half, side: i % 3 === 0 ? "sell" : "buy" };
    }),
  );
  await store.writeCandles(
    [...seeded.candles.values()].flat().map((candle) => ({ candle, isFinal: true, sourcePartition: undefined, lastOffset: undefined })),
    nowMs,
  );

  let latest: LatestState | undefined;
  for (const trade of trades) latest = applyTradeToLatest(latest, trade);
  if (!latest) throw new Error(`seedDay ${options.symbol}: no trades in the session`);
  await store.writeLatestTrades(
    [{ state: { ...latest, prevClose: options.prevClose }, sourcePartition: undefined, lastOffset: undefined }],
    nowMs,
  );
  const half = spreadOf(last.price) / 2;
  await store.writeLatestQuotes([
    { symbol: options.symbol, tsMs: last.ts, bid: last.price - half, ask: last.price + half, bidSize: 300, askSize: 500 },
  ]);

  // No store writes a symbol's name (the listing's), so this row is written here.
  await client.execute(`INSERT INTO ${keyspace}.symbols (symbol, name, first_seen, last_seen) VALUES (?, ?, ?, ?)`, [
    options.symbol,
    `${options.symbol} test listing`,
    new Date(seeded.first.ts),
    new Date(last.ts),
  ]);
  const mid = trades[Math.floor(trades.length / 2)] as Trade;
  await store.writeAlerts([
    {
      alertId: `${options.symbol}:jump:${mid.ts}`,
      symbol: options.symbol,
      kind: "price-jump",
      tsMs: mid.ts,
      severity: 4.2,
      details: "seeded alert",
    },
  ]);
  return seeded;
}
