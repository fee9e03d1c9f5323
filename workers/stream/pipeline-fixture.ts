// Shared setup of the stream pipeline integration tests: a fresh keyspace (migrated) and fresh
// topics per test file, the independent reference candles of a LEAN trade file, and a comparison
// of stored candles against it. Not a test file itself; imported by *.int.test.ts only.
import fs from "node:fs";
import path from "node:path";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CassandraStore, type StoredCandle } from "../../adapters/cassandra-store";
import { getConfig, type StreamSettings } from "../../adapters/config";
import { dataFileName, marketDataFile, readMarketDataText } from "../../adapters/market-data";
import { applicationTopics, createKafka, ensureTopics, topicNames, type TopicNames } from "../../adapters/kafka";
import { migrate } from "../../db/migrations";
import { connectTestCassandra, testLog, uniqueName } from "../../test/helpers";

// The real IBM day of the sample set (data/samples): missing data fails the test file at load.
export const IBM_TRADES = marketDataFile(getConfig().marketDataDir, "lean_equity_tick/20131007_ibm_Trade_Tick.csv");
export const IBM_QUOTES = marketDataFile(getConfig().marketDataDir, "lean_equity_tick/20131007_ibm_Quote_Tick.csv");

/**
 * The rows of a LEAN tick file up to `cutoffMsAfterMidnight` (New York), written uncompressed
 * under the file's plain name into `dir` (the replay reads symbol and day from the name).
 */
export function leanTicksUntil(file: string, cutoffMsAfterMidnight: number, dir: string): { file: string; rows: number } {
  const lines = readMarketDataText(file)
    .split("\n")
    .filter((l) => l.trim() !== "" && Number(l.split(",")[0]) <= cutoffMsAfterMidnight);
  const out = path.join(dir, dataFileName(file));
  fs.writeFileSync(out, lines.join("\n"));
  return { file: out, rows: lines.length };
}

export type Fixture = {
  keyspace: string;
  topics: TopicNames;
  prefix: string;
  client: CassandraClient;
  store: CassandraStore;
  kafka: ReturnType<typeof createKafka>;
  settings(overrides?: Partial<StreamSettings>): StreamSettings;
  close(): Promise<void>;
};

export async function createFixture(partitions = 3): Promise<Fixture> {
  const config = getConfig();
  const keyspace = uniqueName("test_stream");
  const prefix = `${uniqueName("t")}.`;
  const topics = topicNames(prefix);
  await migrate(connectTestCassandra, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  const client = await connectTestCassandra();
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "stream-int-test", log: testLog });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, applicationTopics(partitions, 1, topics));
  return {
    keyspace,
    topics,
    prefix,
    client,
    store: createCassandraStore(client, keyspace),
    kafka,
    settings: (overrides = {}) => ({
      ...config.stream,
      groupId: uniqueName("test-stream"),
      idleCloseMs: 1_500,
      sessionTimeoutMs: 6_000,
      retryMaxBackoffMs: 2_000,
      maxBatchBytes: 64 * 1024,
      ...overrides,
    }),
    async close() {
      await admin
        .deleteTopics({ topics: Object.values(topics) })
        .catch((error: unknown) => testLog.warn({ err: error }, "deleting test topics"));
      await admin.disconnect();
      await client
        .execute(`DROP KEYSPACE IF EXISTS ${keyspace}`)
        .catch((error: unknown) => testLog.warn({ err: error }, "dropping test keyspace"));
      await client.shutdown();
    },
  };
}

export type RefCandle = {
  windowStart: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  notional: number;
  count: number;
};

/**
 * Reference candles of a LEAN trade tick file computed without the app's parsers or fold: rows
 * `time_ms,price*10000,qty,exchange,condition,suspicious` in New York time (the file's day is in
 * EDT, UTC-4), non-suspicious rows grouped by floor(ts / windowMs), file order breaking time ties.
 */
export function referenceCandles(
  file: string,
  dateUtcMidnightMs: number,
  utcOffsetHours: number,
  windowMs: number,
): Map<number, RefCandle> {
  const out = new Map<number, RefCandle>();
  for (const line of readMarketDataText(file).split("\n")) {
    if (line.trim() === "") continue;
    const [timeMs, price, qty, , , suspicious] = line.trim().split(",");
    if (suspicious === "1") continue;
    const ts = dateUtcMidnightMs + Number(timeMs) - utcOffsetHours * 3_600_000;
    const p = Number(price) / 10_000;
    const q = Number(qty);
    const start = Math.floor(ts / windowMs) * windowMs;
    const c = out.get(start);
    if (!c) out.set(start, { windowStart: start, open: p, high: p, low: p, close: p, volume: q, notional: p * q, count: 1 });
    else {
      c.high = Math.max(c.high, p);
      c.low = Math.min(c.low, p);
      c.close = p;
      c.volume += q;
      c.notional += p * q;
      c.count++;
    }
  }
  return out;
}

export type Mismatch = { windowStart: number; problem: string };

/** Every difference between stored candles and the reference (empty = identical). */
export function compareCandles(stored: readonly StoredCandle[], reference: Map<number, RefCandle>, requireFinal = true): Mismatch[] {
  const problems: Mismatch[] = [];
  const byStart = new Map(stored.map((s) => [s.candle.windowStart, s]));
  for (const [start, ref] of reference) {
    const s = byStart.get(start);
    if (!s) {
      problems.push({ windowStart: start, problem: "missing" });
      continue;
    }
    const c = s.candle;
    const exact: [string, number, number][] = [
      ["open", c.open, ref.open],
      ["high", c.high, ref.high],
      ["low", c.low, ref.low],
      ["close", c.close, ref.close],
      ["volume", c.volume, ref.volume],
      ["tradeCount", c.tradeCount, ref.count],
    ];
    for (const [name, got, want] of exact) if (got !== want) problems.push({ windowStart: start, problem: `${name} ${got} ≠ ${want}` });
    const refVwap = ref.notional / ref.volume;
    if (Math.abs(c.vwap - refVwap) / refVwap > 1e-9) problems.push({ windowStart: start, problem: `vwap ${c.vwap} ≠ ${refVwap}` });
    if (requireFinal && !s.isFinal) problems.push({ windowStart: start, problem: "not final" });
  }
  for (const s of stored)
    if (!reference.has(s.candle.windowStart)) problems.push({ windowStart: s.candle.windowStart, problem: "unexpected candle" });
  return problems;
}

/** 2013-10-07 00:00 UTC; the IBM file's New York day, in EDT. */
export const IBM_DAY_UTC_MS = Date.UTC(2013, 9, 7);
export const IBM_UTC_OFFSET_HOURS = -4;

/** All stored candles of IBM on that day for one interval. */
export function storedIbmCandles(store: CassandraStore, interval: "1m" | "5m" | "1h"): Promise<StoredCandle[]> {
  return store.getCandles("IBM", interval, IBM_DAY_UTC_MS, IBM_DAY_UTC_MS + 86_400_000 - 1, 100_000);
}

export type RefIndicators = { sma20?: number; sma50?: number; ema20?: number; ema50?: number; rv20?: number };

/**
 * Reference indicators over the reference 1m closes, computed here without core/indicators: SMA
 * of the last n closes, EMA seeded with the SMA of the first n then alpha = 2 / (n + 1), rv20 the
 * sample stdev of the last 20 log returns. Windows without trades have no candle and are skipped.
 */
export function referenceIndicators(ref1m: Map<number, RefCandle>): Map<number, RefIndicators> {
  const candles = [...ref1m.values()].sort((a, b) => a.windowStart - b.windowStart);
  const closes = candles.map((c) => c.close);
  const out = new Map<number, RefIndicators>();
  const ema: Record<20 | 50, number | undefined> = { 20: undefined, 50: undefined };
  candles.forEach((c, i) => {
    const r: RefIndicators = {};
    for (const n of [20, 50] as const) {
      if (i + 1 < n) continue;
      const window = closes.slice(i + 1 - n, i + 1);
      const sma = window.reduce((sum, x) => sum + x, 0) / n;
      const previous = ema[n];
      ema[n] = previous === undefined ? sma : (2 / (n + 1)) * c.close + (1 - 2 / (n + 1)) * previous;
      if (n === 20) {
        r.sma20 = sma;
        r.ema20 = ema[n];
      } else {
        r.sma50 = sma;
        r.ema50 = ema[n];
      }
    }
    if (i >= 20) {
      const returns = closes.slice(i - 20, i + 1).flatMap((x, j, all) => (j === 0 ? [] : [Math.log(x / (all[j - 1] as number))]));
      const mean = returns.reduce((sum, x) => sum + x, 0) / returns.length;
      r.rv20 = Math.sqrt(returns.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (returns.length - 1));
    }
    out.set(c.windowStart, r);
  });
  return out;
}

/** Every difference between the indicators stored with 1m candles and the reference (relative 1e-12). */
export function compareIndicators(stored: readonly StoredCandle[], reference: Map<number, RefIndicators>): Mismatch[] {
  const problems: Mismatch[] = [];
  for (const s of stored) {
    const want = reference.get(s.candle.windowStart) ?? {};
    for (const name of ["sma20", "sma50", "ema20", "ema50", "rv20"] as const) {
      const got = s.indicators[name];
      const expected = want[name];
      if (got === undefined && expected === undefined) continue;
      if (got === undefined || expected === undefined || Math.abs(got - expected) > 1e-12 * Math.max(Math.abs(expected), 1e-6)) {
        problems.push({ windowStart: s.candle.windowStart, problem: `${name} ${got} ≠ ${expected}` });
      }
    }
  }
  return problems;
}
