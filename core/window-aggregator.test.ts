import { describe, expect, it } from "vitest";
import { applyTrade, mergeCandles, type Candle } from "./candles";
import { windowStart, type Interval } from "./intervals";
import type { Trade } from "./schemas";
import {
  addTrade,
  aggregatorWatermark,
  createAggregator,
  drainClosed,
  getWindow,
  openCandles,
  openWindowCount,
  restoreWindow,
  type AggregatorState,
  type WindowOutput,
} from "./window-aggregator";
import { createPrng, nextFloat } from "./simulator";

const T0 = Date.UTC(2024, 2, 15, 14, 0); // on an hour boundary, so on every interval's boundary

let nextId = 1;
function trade(ts: number, price = 100, size = 1, extra: Partial<Trade> = {}): Trade {
  return { symbol: "IBM", ts, price, size, tradeId: String(nextId++), ...extra };
}

function keyOf(candle: Candle): string {
  return `${candle.symbol}|${candle.interval}|${candle.windowStart}`;
}

/** What the stream worker must do with outputs: upsert "full", merge "late-delta" into the stored row. */
function writeTo(store: Map<string, Candle>, outputs: readonly WindowOutput[]): void {
  for (const { candle, kind } of outputs) {
    const stored = store.get(keyOf(candle));
    store.set(keyOf(candle), kind === "late-delta" && stored !== undefined ? mergeCandles(stored, candle) : candle);
  }
}

/** The batch answer: every non-suspicious trade folded into its window, arrival order irrelevant. */
function batchCandles(trades: readonly Trade[], intervals: readonly Interval[]): Map<string, Candle> {
  const out = new Map<string, Candle>();
  for (const t of trades) {
    for (const interval of intervals) {
      const key = `${t.symbol}|${interval}|${windowStart(t.ts, interval)}`;
      const next = applyTrade(out.get(key), t, interval);
      if (next !== undefined) out.set(key, next);
    }
  }
  return out;
}

// The simulator's seeded PRNG, so shuffles are random-looking but reproducible.
function seededRandom(seed: number): () => number {
  const rng = createPrng(seed, "test-shuffle");
  return () => nextFloat(rng);
}

function oneMinute(config: Partial<Parameters<typeof createAggregator>[0]> = {}): AggregatorState {
  return createAggregator({ intervals: ["1m"], allowedLatenessMs: 0, ...config });
}

describe("createAggregator", () => {
  it("starts empty, with no watermark and nothing to drain", () => {
    const state = createAggregator({ intervals: ["1s", "1m"], allowedLatenessMs: 5_000 });
    expect(aggregatorWatermark(state)).toBe(Number.NEGATIVE_INFINITY);
    expect(drainClosed(state)).toEqual([]);
    expect(drainClosed(state, T0)).toEqual([]);
    expect(openCandles(state)).toEqual([]);
    expect(openWindowCount(state)).toBe(0);
    expect(state.counters).toEqual({
      tradesApplied: 0,
      lateTrades: 0,
      suspiciousSkipped: 0,
      duplicatesSkipped: 0,
      windowsClosedEarly: 0,
      lateDeltaWindows: 0,
    });
  });

  it("orders intervals finest first and drops repeats", () => {
    expect(createAggregator({ intervals: ["1h", "1s", "5m", "1s"], allowedLatenessMs: 0 }).intervals).toEqual(["1s", "5m", "1h"]);
  });

  it("refuses a config it cannot honour", () => {
    expect(() => createAggregator({ intervals: [], allowedLatenessMs: 0 })).toThrow(RangeError);
    expect(() => createAggregator({ intervals: ["1m"], allowedLatenessMs: -1 })).toThrow(RangeError);
    expect(() => createAggregator({ intervals: ["1m"], allowedLatenessMs: 0, maxOpenWindows: 0 })).toThrow(RangeError);
  });
});

describe("addTrade", () => {
  it("opens a one-trade window in every interval, finest first", () => {
    const state = createAggregator({ intervals: ["1s", "1m", "5m", "1h"], allowedLatenessMs: 0 });
    const result = addTrade(state, trade(T0 + 61_500, 181.52, 100));
    expect(result.late).toBe(false);
    expect(result.skipped).toBeUndefined();
    expect(result.closedEarly).toEqual([]);
    expect(result.touched).toEqual([
      { symbol: "IBM", interval: "1s", windowStart: T0 + 61_000 },
      { symbol: "IBM", interval: "1m", windowStart: T0 + 60_000 },
      { symbol: "IBM", interval: "5m", windowStart: T0 },
      { symbol: "IBM", interval: "1h", windowStart: T0 },
    ]);
    const oneSecond = getWindow(state, { symbol: "IBM", interval: "1s", windowStart: T0 + 61_000 });
    expect(oneSecond).toMatchObject({ kind: "full", candle: { open: 181.52, close: 181.52, volume: 100, tradeCount: 1 } });
    expect(openWindowCount(state)).toBe(4);
    expect(state.counters.tradesApplied).toBe(1);
  });

  it("sets the watermark to the max event time seen minus the allowed lateness", () => {
    const state = oneMinute({ allowedLatenessMs: 2_000 });
    addTrade(state, trade(T0 + 10_000));
    addTrade(state, trade(T0 + 4_000));
    expect(aggregatorWatermark(state)).toBe(T0 + 8_000);
  });

  it("folds an out-of-order trade within the lateness into its open window, not as late", () => {
    const state = oneMinute({ allowedLatenessMs: 10_000 });
    addTrade(state, trade(T0 + 65_000, 101)); // watermark T0+55s: window [T0, T0+60s) still open
    const result = addTrade(state, trade(T0 + 59_999, 99));
    expect(result.late).toBe(false);
    expect(getWindow(state, { symbol: "IBM", interval: "1m", windowStart: T0 })?.candle.close).toBe(99);
  });

  it("counts a trade late when its window ends exactly at the watermark", () => {
    const state = createAggregator({ intervals: ["1s"], allowedLatenessMs: 2_000 });
    addTrade(state, trade(T0 + 5_000)); // watermark T0+3000
    expect(addTrade(state, trade(T0 + 2_999)).late).toBe(true); // window [2000, 3000): end == watermark
    expect(addTrade(state, trade(T0 + 3_000)).late).toBe(false); // window [3000, 4000)
    expect(state.counters.lateTrades).toBe(1);
    expect(state.counters.tradesApplied).toBe(3);
  });

  it("calls a trade late when only its fine window has closed, and still updates both", () => {
    const state = createAggregator({ intervals: ["1s", "1m"], allowedLatenessMs: 0 });
    addTrade(state, trade(T0 + 30_000));
    const result = addTrade(state, trade(T0 + 10_000));
    expect(result.late).toBe(true);
    expect(result.touched.map((k) => k.interval)).toEqual(["1s", "1m"]);
    expect(getWindow(state, { symbol: "IBM", interval: "1m", windowStart: T0 })?.candle.tradeCount).toBe(2);
  });

  it("applies equal-timestamp trades in (ts, tradeId) order whatever their arrival", () => {
    const state = oneMinute();
    addTrade(state, { symbol: "IBM", ts: T0 + 5, price: 3, size: 1, tradeId: "10" });
    addTrade(state, { symbol: "IBM", ts: T0 + 5, price: 2, size: 1, tradeId: "9" });
    const candle = getWindow(state, { symbol: "IBM", interval: "1m", windowStart: T0 })?.candle;
    expect(candle).toMatchObject({ open: 2, close: 3, firstTradeId: "9", lastTradeId: "10" });
  });

  it("skips a suspicious trade without touching windows or the watermark", () => {
    const state = oneMinute();
    addTrade(state, trade(T0));
    const result = addTrade(state, trade(T0 + 3_600_000, 1_000_000, 1, { suspicious: true }));
    expect(result).toEqual({ late: false, touched: [], closedEarly: [], skipped: "suspicious" });
    expect(aggregatorWatermark(state)).toBe(T0);
    expect(openWindowCount(state)).toBe(1);
    expect(state.counters.suspiciousSkipped).toBe(1);
  });

  it("keeps symbols apart while sharing one watermark", () => {
    const state = oneMinute();
    addTrade(state, trade(T0 + 70_000, 10, 1, { symbol: "AAPL" }));
    const result = addTrade(state, trade(T0 + 1_000, 20));
    expect(result.late).toBe(true); // AAPL moved the partition's watermark past IBM's first window
    expect(openCandles(state).map((o) => [o.candle.symbol, o.candle.windowStart])).toEqual([
      ["IBM", T0],
      ["AAPL", T0 + 60_000],
    ]);
  });
});

describe("drainClosed", () => {
  it("emits windows whose end is at or before the watermark and keeps the rest", () => {
    const state = oneMinute();
    addTrade(state, trade(T0 + 1_000));
    addTrade(state, trade(T0 + 60_000)); // watermark T0+60s == end of the first window
    const closed = drainClosed(state);
    expect(closed.map((o) => o.candle.windowStart)).toEqual([T0]);
    expect(closed[0]?.kind).toBe("full");
    expect(openCandles(state).map((o) => o.candle.windowStart)).toEqual([T0 + 60_000]);
    expect(drainClosed(state)).toEqual([]);
  });

  it("emits oldest end first, then finer interval, then symbol", () => {
    const state = createAggregator({ intervals: ["1s", "1m"], allowedLatenessMs: 0 });
    addTrade(state, trade(T0 + 59_500, 1, 1, { symbol: "MSFT" }));
    addTrade(state, trade(T0 + 59_000, 1, 1, { symbol: "AAPL" }));
    addTrade(state, trade(T0 + 59_200, 1, 1, { symbol: "IBM" }));
    const keys = drainClosed(state, T0 + 60_000).map((o) => `${o.candle.interval} ${o.candle.symbol}`);
    expect(keys).toEqual(["1s AAPL", "1s IBM", "1s MSFT", "1m AAPL", "1m IBM", "1m MSFT"]);
    expect(openWindowCount(state)).toBe(0);
  });

  it("turns a trade for a drained window into a late delta that merges into the final candle", () => {
    const state = oneMinute({ allowedLatenessMs: 5_000 });
    addTrade(state, trade(T0 + 10_000, 100, 2));
    addTrade(state, trade(T0 + 50_000, 104, 1));
    addTrade(state, trade(T0 + 66_000, 105, 1)); // watermark T0+61s closes [T0, T0+60s)
    const [final] = drainClosed(state);
    expect(final?.kind).toBe("full");

    const lateTrade = trade(T0 + 5_000, 90, 4);
    const result = addTrade(state, lateTrade);
    expect(result.late).toBe(true);
    const [delta] = drainClosed(state);
    expect(delta?.kind).toBe("late-delta");
    expect(delta?.candle).toMatchObject({ windowStart: T0, tradeCount: 1, volume: 4 });
    expect(state.counters).toMatchObject({ lateTrades: 1, lateDeltaWindows: 1 });

    const corrected = mergeCandles(final?.candle as Candle, delta?.candle as Candle);
    expect(corrected).toMatchObject({ open: 90, high: 104, low: 90, close: 104, volume: 7, tradeCount: 3 });
    expect(corrected.vwap).toBeCloseTo((200 + 104 + 360) / 7, 12);
  });

  it("accepts an outside watermark and never lets it go backwards", () => {
    const state = oneMinute({ allowedLatenessMs: 60_000 });
    addTrade(state, trade(T0 + 1_000));
    expect(drainClosed(state, T0 + 60_000)).toHaveLength(1); // own watermark is far behind
    expect(drainClosed(state, T0)).toEqual([]);
    expect(aggregatorWatermark(state)).toBe(T0 + 60_000);
    const result = addTrade(state, trade(T0 + 2_000));
    expect(result.late).toBe(true);
    expect(drainClosed(state, T0)[0]?.kind).toBe("late-delta"); // drains to T0+60s, not T0
  });

  it("keeps memory bounded: drained windows are forgotten", () => {
    const state = createAggregator({ intervals: ["1s", "1m"], allowedLatenessMs: 0 });
    for (let i = 0; i < 5_000; i++) {
      addTrade(state, trade(T0 + i * 250));
      drainClosed(state);
      expect(openWindowCount(state)).toBeLessThanOrEqual(2);
    }
  });
});

describe("maxOpenWindows", () => {
  it("closes the oldest window early when the cap is passed and returns it", () => {
    const state = oneMinute({ allowedLatenessMs: 3_600_000, maxOpenWindows: 2 });
    addTrade(state, trade(T0 + 1_000, 10));
    addTrade(state, trade(T0 + 61_000, 11));
    const result = addTrade(state, trade(T0 + 121_000, 12));
    expect(result.closedEarly.map((o) => [o.kind, o.candle.windowStart])).toEqual([["full", T0]]);
    expect(openWindowCount(state)).toBe(2);
    expect(state.counters.windowsClosedEarly).toBe(1);
  });

  it("turns later trades for an early-closed window into deltas, though the watermark has not reached it", () => {
    const state = oneMinute({ allowedLatenessMs: 3_600_000, maxOpenWindows: 2 });
    addTrade(state, trade(T0 + 1_000, 10));
    addTrade(state, trade(T0 + 61_000, 11));
    const [early] = addTrade(state, trade(T0 + 121_000, 12)).closedEarly;
    const result = addTrade(state, trade(T0 + 2_000, 9));
    expect(result.late).toBe(false);
    // The new delta is itself the oldest window now, so it goes straight back out, still a delta.
    expect(result.closedEarly.map((o) => o.kind)).toEqual(["late-delta"]);
    expect(mergeCandles(early?.candle as Candle, result.closedEarly[0]?.candle as Candle).tradeCount).toBe(2);
  });

  it("never holds more windows than the cap, whatever the stream", () => {
    const state = createAggregator({ intervals: ["1s", "1m", "5m"], allowedLatenessMs: 3_600_000, maxOpenWindows: 50 });
    const random = seededRandom(5);
    for (let i = 0; i < 5_000; i++) {
      addTrade(state, trade(T0 + Math.floor(random() * 3_600_000), 100, 1, { symbol: random() < 0.5 ? "IBM" : "AAPL" }));
      expect(openWindowCount(state)).toBeLessThanOrEqual(50);
    }
  });
});

describe("redelivery and restore", () => {
  it("skips a redelivered offset, even for a window already drained", () => {
    const state = oneMinute();
    const first = trade(T0 + 1_000);
    addTrade(state, first, { offset: "41" });
    addTrade(state, trade(T0 + 61_000), { offset: "42" });
    drainClosed(state);
    const result = addTrade(state, first, { offset: "41" });
    expect(result.skipped).toBe("duplicate");
    expect(result.touched).toEqual([]);
    expect(openWindowCount(state)).toBe(1);
    expect(state.counters).toMatchObject({ duplicatesSkipped: 1, tradesApplied: 2, lateDeltaWindows: 0 });
  });

  it("compares offsets by value, so offset 10 follows offset 9", () => {
    const state = oneMinute();
    addTrade(state, trade(T0), { offset: "9" });
    expect(addTrade(state, trade(T0 + 1), { offset: "10" }).skipped).toBeUndefined();
    const window = getWindow(state, { symbol: "IBM", interval: "1m", windowStart: T0 });
    expect(window).toMatchObject({ firstOffset: "9", lastOffset: "10" });
  });

  it("folds replayed trades into a restored window only past its stored offset", () => {
    const state = createAggregator({ intervals: ["1s", "1m"], allowedLatenessMs: 0 });
    const stored = applyTrade(undefined, trade(T0 + 1_000, 10, 5), "1m") as Candle;
    expect(restoreWindow(state, stored, "100")).toEqual([]);

    const replayed = addTrade(state, trade(T0 + 2_000, 10, 5), { offset: "100" });
    expect(replayed.touched.map((k) => k.interval)).toEqual(["1s"]); // the 1m row already holds it
    addTrade(state, trade(T0 + 3_000, 12, 1), { offset: "101" });

    const minute = getWindow(state, { symbol: "IBM", interval: "1m", windowStart: T0 });
    expect(minute).toMatchObject({ kind: "full", lastOffset: "101", candle: { tradeCount: 2, volume: 6, close: 12 } });
  });

  it("refuses to restore a window twice or one of an interval it does not aggregate", () => {
    const state = oneMinute();
    const stored = applyTrade(undefined, trade(T0), "1m") as Candle;
    restoreWindow(state, stored);
    expect(() => restoreWindow(state, stored)).toThrow(/already in memory/);
    expect(() => restoreWindow(state, applyTrade(undefined, trade(T0), "5m") as Candle)).toThrow(/not aggregated/);
  });
});

describe("stored result", () => {
  it("equals the batch candles for shuffled, late and capped input once outputs are written by the contract", () => {
    const intervals: Interval[] = ["1s", "1m", "5m"];
    for (let seed = 1; seed <= 10; seed++) {
      const random = seededRandom(seed);
      const trades: Trade[] = [];
      for (let i = 0; i < 1_500; i++) {
        // Mostly moving forward, with jitter, some far-late ticks and a few suspicious ones.
        const base = T0 + i * 400;
        const jitter = random() < 0.1 ? -Math.floor(random() * 600_000) : -Math.floor(random() * 3_000);
        trades.push(
          trade(Math.max(T0, base + jitter), 100 + Math.floor(random() * 32) / 4, 1 + Math.floor(random() * 9), {
            symbol: random() < 0.5 ? "IBM" : "AAPL",
            ...(random() < 0.02 ? { suspicious: true } : {}),
          }),
        );
      }
      const state = createAggregator({ intervals, allowedLatenessMs: 2_000, maxOpenWindows: 10 });
      const store = new Map<string, Candle>();
      trades.forEach((t, i) => {
        writeTo(store, addTrade(state, t, { offset: String(i) }).closedEarly);
        if (i % 25 === 0) writeTo(store, drainClosed(state));
      });
      writeTo(store, drainClosed(state, Number.POSITIVE_INFINITY));

      expect(openWindowCount(state)).toBe(0);
      expect(state.counters.lateTrades).toBeGreaterThan(0);
      expect(state.counters.windowsClosedEarly).toBeGreaterThan(0);
      expect(state.counters.lateDeltaWindows).toBeGreaterThan(0);
      const expected = batchCandles(trades, intervals);
      expect(new Map([...store].sort())).toEqual(new Map([...expected].sort()));
    }
  });
});
