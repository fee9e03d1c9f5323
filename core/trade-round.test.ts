// The stream round's fold on the real IBM tape (data/samples), with an in-memory stand-in for
// Cassandra that applies each plan as the worker's executor does: exact candles and indicators
// against an independent reference, restart from a committed offset after a crash at any point of
// a round's writes, repeated trade ids, per-symbol clocks beside another clock, idle close and
// resume, late trades into stored windows, the symbol cap.
/* eslint-disable no-restricted-imports -- this test reads the real files on purpose; the code under test stays I/O-free */
import { describe, expect, it } from "vitest";
import { getConfig } from "../adapters/config";
import { marketDataFile, readMarketDataText } from "../adapters/market-data";
import type { Candle } from "./candles";
import { createIndicatorState, updateIndicators } from "./indicators";
import { INTERVAL_MS, STREAM_INTERVALS, windowStart, type Interval } from "./intervals";
import type { LatestState } from "./latest-state";
import { parseLeanTrades } from "./parsers/lean-ticks";
import { createQuoteBook } from "./quote-book";
import type { Trade } from "./schemas";
import type { ValidTick } from "./tick-messages";
import {
  closeIdleSymbols,
  createTradePartition,
  dedupLookups,
  foldTrades,
  idleSymbols,
  lateWindowKeys,
  markWritten,
  rawTradeKey,
  restoreReads,
  restoreSymbol,
  symbolsToRestore,
  unrestoredClock,
  type CandleWrite,
  type StoredWindow,
  type SymbolClock,
  type TradePartitionState,
  type TradeRoundPlan,
  type TradeRoundSettings,
} from "./trade-round";

const IBM_FILE = marketDataFile(getConfig().marketDataDir, "lean_equity_tick/20131007_ibm_Trade_Tick.csv");
const IBM_TEXT = readMarketDataText(IBM_FILE);
const IBM_TRADES: Trade[] = [...parseLeanTrades(IBM_TEXT, { symbol: "IBM", date: "2013-10-07" })].flatMap((r) => (r.ok ? [r.value] : []));

const SETTINGS: TradeRoundSettings = {
  intervals: STREAM_INTERVALS,
  allowedLatenessMs: 2_000,
  maxOpenWindowsPerSymbol: 10_000,
  maxSymbols: 100,
  dedupIdsPerSymbol: 512,
  joinToleranceMs: 60_000,
};

type Ref = { open: number; high: number; low: number; close: number; volume: number; count: number };

/** Independent reference: the file's rows (New York time, EDT = UTC−4) grouped by floor(ts / window), file order. */
function reference(windowMs: number): Map<number, Ref> {
  const out = new Map<number, Ref>();
  const midnightUtc = Date.UTC(2013, 9, 7);
  for (const line of IBM_TEXT.split("\n")) {
    if (line.trim() === "") continue;
    const [timeMs, price, qty, , , suspicious] = line.trim().split(",");
    if (suspicious === "1") continue;
    const ts = midnightUtc + Number(timeMs) + 4 * 3_600_000;
    const p = Number(price) / 10_000;
    const q = Number(qty);
    const start = Math.floor(ts / windowMs) * windowMs;
    const c = out.get(start);
    if (!c) out.set(start, { open: p, high: p, low: p, close: p, volume: q, count: 1 });
    else Object.assign(c, { high: Math.max(c.high, p), low: Math.min(c.low, p), close: p, volume: c.volume + q, count: c.count + 1 });
  }
  return out;
}

type StoredRow = StoredWindow;

/** What the worker's executor writes, kept in maps; `crashAfter` stops a plan's writes part way. */
class MemoryStore {
  candles = new Map<string, StoredRow>();
  clocks = new Map<string, SymbolClock>();
  raw = new Map<string, Trade>();
  latest = new Map<string, { state: LatestState; sourcePartition: number; lastOffset: string | undefined }>();
  firstSeen = new Map<string, number>();
  alerts = new Set<string>();

  static key(c: { symbol: string; interval: Interval; windowStart: number }): string {
    return `${c.symbol}|${c.interval}|${c.windowStart}`;
  }

  /** Applies a plan in the executor's order; with `stopAfter` only the phases up to that one. */
  write(plan: TradeRoundPlan, stopAfter: "alerts" | "progress" | "candles" | "trades" | "closed" = "closed"): void {
    for (const a of plan.alerts) this.alerts.add(a.id);
    if (stopAfter === "alerts") return;
    for (const p of plan.progress) {
      const c = this.clocks.get(p.symbol);
      this.clocks.set(p.symbol, {
        firstEventTsMs: p.firstEventTsMs,
        maxEventTsMs: p.maxEventTsMs,
        closedThroughMs: c?.closedThroughMs ?? {},
      });
    }
    if (stopAfter === "progress") return;
    for (const row of plan.candles) this.writeCandle(row);
    for (const l of plan.latest) this.latest.set(l.state.symbol, l);
    for (const s of plan.symbolsSeen) if (s.firstSeenMs !== undefined) this.firstSeen.set(s.symbol, s.firstSeenMs);
    if (stopAfter === "candles") return;
    for (const t of plan.trades) this.raw.set(rawTradeKey(t), t);
    if (stopAfter === "trades") return;
    for (const c of plan.closed) {
      const clock = this.clocks.get(c.symbol);
      if (clock) clock.closedThroughMs = { ...clock.closedThroughMs, ...c.closedThroughMs };
    }
  }

  private writeCandle(row: CandleWrite): void {
    const k = MemoryStore.key(row.candle);
    const before = this.candles.get(k);
    // Absent indicators leave the stored ones (unset columns), as the store's upsert does.
    const indicators = row.indicators ?? before?.indicators ?? {};
    this.candles.set(k, {
      candle: { ...row.candle },
      isFinal: row.isFinal,
      sourcePartition: row.sourcePartition,
      lastOffset: row.lastOffset,
      indicators,
    });
  }

  rangeOf(symbol: string, interval: Interval, fromMs: number, toMs: number): StoredRow[] {
    return [...this.candles.values()]
      .filter(
        (s) =>
          s.candle.symbol === symbol && s.candle.interval === interval && s.candle.windowStart >= fromMs && s.candle.windowStart <= toMs,
      )
      .sort((a, b) => b.candle.windowStart - a.candle.windowStart);
  }

  candlesOf(symbol: string, interval: Interval): StoredRow[] {
    return this.rangeOf(symbol, interval, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).reverse();
  }
}

/** The worker's executor for one trades partition, on the memory store. */
class Runner {
  state: TradePartitionState;
  readonly book = createQuoteBook();
  wallMs = 1_000_000;

  constructor(
    readonly store: MemoryStore,
    readonly partition = 0,
    readonly settings: TradeRoundSettings = SETTINGS,
  ) {
    this.state = createTradePartition(partition, settings, store.clocks, this.wallMs);
  }

  restore(symbols: readonly string[], clockOf: (s: string) => SymbolClock | undefined = (s) => this.store.clocks.get(s)): void {
    for (const symbol of symbols) {
      const clock = clockOf(symbol);
      const reads = restoreReads(this.settings, clock);
      const finalBars = reads.finalBars ? this.store.rangeOf(symbol, "1m", reads.finalBars.fromMs, reads.finalBars.toMs).slice(0, 50) : [];
      restoreSymbol(
        this.state,
        symbol,
        {
          clock: clock && structuredClone(clock),
          openWindows: reads.openRanges.flatMap((r) => this.store.rangeOf(symbol, r.interval, r.fromMs, r.toMs)),
          latest: this.store.latest.get(symbol),
          firstSeenMs: this.store.firstSeen.get(symbol),
          finalBars,
        },
        this.wallMs,
      );
    }
  }

  /** One batch: restore, reads, fold; returns the plan (not written). */
  fold(ticks: ValidTick<"trades">[]): TradeRoundPlan {
    this.restore(symbolsToRestore(this.state, ticks));
    const late = lateWindowKeys(this.state, ticks);
    const lookups = dedupLookups(this.state, ticks);
    const storedLate = new Map(late.map((k) => [MemoryStore.key(k), this.store.candles.get(MemoryStore.key(k))]));
    const storedRaw = new Set(lookups.map(rawTradeKey).filter((k) => this.store.raw.has(k)));
    return foldTrades(this.state, ticks, { storedLate, storedRaw, book: this.book });
  }

  batch(ticks: ValidTick<"trades">[]): TradeRoundPlan {
    const plan = this.fold(ticks);
    this.store.write(plan);
    this.wallMs += 10;
    markWritten(this.state, plan, this.wallMs);
    return plan;
  }

  /** The idle close the worker runs when the partition is quiet. */
  idle(idleCloseMs: number): TradeRoundPlan {
    const symbols = idleSymbols(this.state, this.wallMs, idleCloseMs);
    this.restore(
      symbols.filter((s) => !this.state.symbols.has(s)),
      (s) => unrestoredClock(this.state, s),
    );
    const plan = closeIdleSymbols(this.state, symbols);
    this.store.write(plan);
    return plan;
  }
}

const withOffsets = (trades: readonly Trade[], from = 0): ValidTick<"trades">[] =>
  trades.map((tick, i) => ({ tick, offset: String(from + i) }));
const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

function expectEqualToReference(store: MemoryStore, symbol: string, interval: Interval): void {
  const ref = reference(INTERVAL_MS[interval]);
  const stored = store.candlesOf(symbol, interval);
  const problems: string[] = [];
  for (const [start, r] of ref) {
    const s = stored.find((x) => x.candle.windowStart === start);
    if (!s) problems.push(`${start} missing`);
    else {
      const c = s.candle;
      if (
        c.open !== r.open ||
        c.high !== r.high ||
        c.low !== r.low ||
        c.close !== r.close ||
        c.volume !== r.volume ||
        c.tradeCount !== r.count ||
        !s.isFinal
      ) {
        problems.push(`${start}: ${JSON.stringify({ ...c, isFinal: s.isFinal })} vs ${JSON.stringify(r)}`);
      }
    }
  }
  expect(problems.slice(0, 5), `${problems.length} ${interval} mismatches`).toEqual([]);
  expect(stored).toHaveLength(ref.size);
}

/** SMA20/SMA50/EMA20/RV20 of the reference 1m closes, in window order. */
function referenceIndicators(): Map<number, ReturnType<typeof updateIndicators>> {
  const state = createIndicatorState("IBM", "1m");
  const out = new Map<number, ReturnType<typeof updateIndicators>>();
  for (const [start, r] of [...reference(60_000)].sort((a, b) => a[0] - b[0])) {
    out.set(start, updateIndicators(state, { windowStart: start, close: r.close, symbol: "IBM", interval: "1m" } as Candle));
  }
  return out;
}

function expectIndicatorsExact(store: MemoryStore): void {
  const ref = referenceIndicators();
  const off: string[] = [];
  for (const s of store.candlesOf("IBM", "1m")) {
    const r = ref.get(s.candle.windowStart);
    const want = {
      sma20: r?.sma20 ?? undefined,
      sma50: r?.sma50 ?? undefined,
      ema20: r?.ema20 ?? undefined,
      rv20: r?.realizedVol20 ?? undefined,
    };
    const got = { sma20: s.indicators.sma20, sma50: s.indicators.sma50, ema20: s.indicators.ema20, rv20: s.indicators.rv20 };
    if (JSON.stringify(want) !== JSON.stringify(got))
      off.push(`${s.candle.windowStart}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  }
  expect(off.slice(0, 3), `${off.length} indicator mismatches`).toEqual([]);
}

/** Folds every batch, then finalizes the day's last windows as the idle close would. */
function runDay(runner: Runner, ticks: ValidTick<"trades">[], batchSize: number): void {
  for (const batch of chunks(ticks, batchSize)) runner.batch(batch);
  runner.wallMs += 60_000;
  runner.idle(30_000);
}

describe("trade round on the real IBM tape", () => {
  it("stores every 1s, 1m, 5m and 1h candle equal to the independent reference, all final, with exact indicators", () => {
    const store = new MemoryStore();
    runDay(new Runner(store), withOffsets(IBM_TRADES), 300);
    for (const interval of STREAM_INTERVALS) expectEqualToReference(store, "IBM", interval);
    expectIndicatorsExact(store);
    expect(store.raw.size).toBe(24_293);
  });

  it("gives the same candles and indicators after a crash at any phase of a round's writes, replayed from the committed offset", () => {
    const ticks = withOffsets(IBM_TRADES);
    const batches = chunks(ticks, 500);
    const phases = ["alerts", "progress", "candles", "trades"] as const;
    const store = new MemoryStore();
    let runner = new Runner(store);
    let committed = 0;
    let crashes = 0;
    const crashedAt = new Set<number>();
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i] as ValidTick<"trades">[];
      const plan = runner.fold(batch);
      if (i % 7 === 3 && !crashedAt.has(i)) {
        crashedAt.add(i);
        // Crash mid-write: nothing committed; a new process restores and replays from `committed`.
        store.write(plan, phases[crashes % phases.length]);
        crashes++;
        runner = new Runner(store);
        i = Math.floor(committed / 500) - 1;
        continue;
      }
      store.write(plan);
      runner.wallMs += 10;
      markWritten(runner.state, plan, runner.wallMs);
      committed = (i + 1) * 500;
    }
    runner.wallMs += 60_000;
    runner.idle(30_000);
    expect(crashes).toBeGreaterThan(5);
    for (const interval of STREAM_INTERVALS) expectEqualToReference(store, "IBM", interval);
    expectIndicatorsExact(store);
  });

  it("counts a trade repeated under the same id at another offset once, in memory and from the raw table", () => {
    const store = new MemoryStore();
    const runner = new Runner(store, 0, { ...SETTINGS, dedupIdsPerSymbol: 64 });
    const ticks = withOffsets(IBM_TRADES);
    const repeatsSoon = [100, 5_000, 20_000];
    // A resend shortly after (in memory), and one long after (older than memory: the raw table decides).
    const repeated: ValidTick<"trades">[] = [];
    let offset = ticks.length;
    for (const t of ticks) {
      repeated.push({ tick: t.tick, offset: String(repeated.length) });
      if (repeatsSoon.includes(Number(t.offset))) repeated.push({ tick: t.tick, offset: String(repeated.length) });
      if (Number(t.offset) === 21_000) repeated.push({ tick: (ticks[300] as ValidTick<"trades">).tick, offset: String(repeated.length) });
      offset++;
    }
    let duplicates = 0;
    for (const batch of chunks(repeated, 250)) duplicates += runner.batch(batch).stats.duplicates;
    runner.wallMs += 60_000;
    runner.idle(30_000);
    expect(duplicates).toBe(4);
    expect(offset).toBeGreaterThan(ticks.length);
    for (const interval of ["1m", "1h"] as const) expectEqualToReference(store, "IBM", interval);
  });

  it("keeps a symbol's clock its own: the real day replayed beside a live symbol on the same partition is on time, with indicators", () => {
    const store = new MemoryStore();
    const runner = new Runner(store);
    const liveStart = Date.UTC(2026, 11, 5, 14, 30);
    const live: Trade[] = Array.from({ length: 5_000 }, (_, i) => ({
      symbol: "SIMX",
      ts: liveStart + i * 1_000,
      price: 100 + (i % 7),
      size: 10,
      tradeId: `s${i}`,
    }));
    // Interleave: the live symbol first, so the partition has long passed 2013 when IBM arrives.
    const mixed = withOffsets(
      [...live.slice(0, 2_500), ...IBM_TRADES.flatMap((t, i) => (i % 10 === 0 ? [t, live[2_500 + i / 10] ?? t] : [t]))].filter(
        (t, i, all) => all.indexOf(t) === i,
      ),
    );
    let late = 0;
    for (const batch of chunks(mixed, 400)) late += runner.batch(batch).stats.late;
    runner.wallMs += 60_000;
    runner.idle(30_000);
    expect(late).toBe(0);
    expectEqualToReference(store, "IBM", "1m");
    expectIndicatorsExact(store);
  });

  it("finalizes an idle symbol without moving its watermark: trades after a pause open normal windows", () => {
    const store = new MemoryStore();
    const runner = new Runner(store);
    const [morning, afternoon] = [
      IBM_TRADES.filter((t) => t.ts < Date.UTC(2013, 9, 7, 15, 0, 30)),
      IBM_TRADES.filter((t) => t.ts >= Date.UTC(2013, 9, 7, 15, 0, 30)),
    ];
    for (const batch of chunks(withOffsets(morning), 300)) runner.batch(batch);
    runner.wallMs += 60_000;
    const closed = runner.idle(30_000);
    expect(closed.candles.length).toBeGreaterThan(0);
    expect(closed.candles.every((c) => c.isFinal)).toBe(true);
    // The feed resumes within the same hour: its first trade's 1m window is open, not final.
    const first = runner.batch(withOffsets(afternoon.slice(0, 1), morning.length));
    const oneMinute = first.candles.find((c) => c.candle.interval === "1m");
    expect(oneMinute?.isFinal).toBe(false);
    for (const batch of chunks(withOffsets(afternoon.slice(1), morning.length + 1), 300)) runner.batch(batch);
    runner.wallMs += 60_000;
    runner.idle(30_000);
    for (const interval of STREAM_INTERVALS) expectEqualToReference(store, "IBM", interval);
  });

  it("folds a trade arriving after its window went final into the stored window (the late path)", () => {
    const store = new MemoryStore();
    const runner = new Runner(store);
    const lateOne = IBM_TRADES[1_000] as Trade;
    const rest = IBM_TRADES.filter((t) => t !== lateOne);
    runDay(runner, withOffsets(rest), 500);
    const before = store.candles.get(MemoryStore.key({ symbol: "IBM", interval: "1m", windowStart: windowStart(lateOne.ts, "1m") }));
    expect(before?.isFinal).toBe(true);
    const plan = runner.batch(withOffsets([lateOne], rest.length));
    expect(plan.stats.late).toBe(1);
    for (const interval of STREAM_INTERVALS) expectEqualToReference(store, "IBM", interval);
  });

  it("drops the least recently traded symbols past the cap and restores them on their next trade, candles unchanged", () => {
    const store = new MemoryStore();
    const runner = new Runner(store, 0, { ...SETTINGS, maxSymbols: 2 });
    const others = (n: number, ts: number): Trade[] =>
      Array.from({ length: 3 }, (_, i) => ({ symbol: `OT${n}`, ts: ts + i, price: 10, size: 1, tradeId: `o${n}-${ts}-${i}` }));
    const ticks: Trade[] = [];
    IBM_TRADES.forEach((t, i) => {
      ticks.push(t);
      if (i % 2_000 === 0) ticks.push(...others(i % 3, t.ts));
    });
    runDay(runner, withOffsets(ticks), 700);
    expect(runner.state.symbols.size).toBeLessThanOrEqual(2);
    for (const interval of STREAM_INTERVALS) expectEqualToReference(store, "IBM", interval);
    expectIndicatorsExact(store);
  });
});
