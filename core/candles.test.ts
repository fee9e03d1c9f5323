import { describe, expect, it } from "vitest";
import {
  applyTrade,
  candleFromTrade,
  candleSchema,
  candleWindowEnd,
  compareDecimalStrings,
  compareTradeOrder,
  isSuspiciousTrade,
  mergeCandles,
  type Candle,
} from "./candles";
import type { Trade } from "./schemas";
import { createPrng, nextFloat } from "./simulator";

const T0 = Date.UTC(2024, 2, 15, 14, 30); // a 1m window start

function trade(ts: number, price: number, size: number, tradeId: string, extra: Partial<Trade> = {}): Trade {
  return { symbol: "IBM", ts, price, size, tradeId, ...extra };
}

function fold(trades: readonly Trade[], interval: Candle["interval"] = "1m"): Candle | undefined {
  let candle: Candle | undefined;
  for (const t of trades) candle = applyTrade(candle, t, interval);
  return candle;
}

// The simulator's seeded PRNG, so shuffles are random-looking but reproducible.
function seededRandom(seed: number): () => number {
  const rng = createPrng(seed, "test-shuffle");
  return () => nextFloat(rng);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Many ticks share a ts (ties broken by id); dyadic prices and integer sizes keep every sum exact. */
function dyadicTrades(count: number, seed: number): Trade[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) =>
    trade(T0 + Math.floor(random() * 8) * 7_000, 100 + Math.floor(random() * 64) / 8, 1 + Math.floor(random() * 500), String(i + 1)),
  );
}

describe("compareTradeOrder", () => {
  it("orders by ts first, whatever the ids", () => {
    expect(compareTradeOrder(1, "9", 2, "1")).toBe(-1);
    expect(compareTradeOrder(2, "1", 1, "9")).toBe(1);
  });

  it("breaks equal timestamps by numeric tradeId when both are decimal integers", () => {
    expect(compareTradeOrder(5, "9", 5, "10")).toBe(-1);
    expect(compareTradeOrder(5, "10", 5, "9")).toBe(1);
    expect(compareTradeOrder(5, "42", 5, "42")).toBe(0);
  });

  it("compares decimal ids beyond 2^53 exactly", () => {
    expect(compareTradeOrder(5, "9007199254740993", 5, "9007199254740992")).toBe(1);
    expect(compareTradeOrder(5, "123456789012345678901234567890", 5, "99999999999999999999999999999")).toBe(1);
  });

  it("gives equal-valued decimal spellings a fixed, antisymmetric order", () => {
    expect(compareTradeOrder(5, "007", 5, "7")).toBe(-1);
    expect(compareTradeOrder(5, "7", 5, "007")).toBe(1);
  });

  it("compares non-decimal ids by code units, not locale", () => {
    expect(compareTradeOrder(5, "a", 5, "b")).toBe(-1);
    expect(compareTradeOrder(5, "B", 5, "a")).toBe(-1);
    expect(compareTradeOrder(5, "x-10", 5, "x-9")).toBe(-1);
  });

  it("sorts decimal ids before others, which keeps the order transitive", () => {
    // With plain string order for mixed pairs this would cycle: 9 < 10 < 1a < 9.
    const ids = ["9", "10", "1a", "a", "007", "7", "", "Z", "100"];
    const cmp = (a: string, b: string) => compareTradeOrder(0, a, 0, b);
    for (const a of ids) {
      expect(cmp(a, a)).toBe(0);
      for (const b of ids) {
        expect(Math.sign(cmp(a, b)) + Math.sign(cmp(b, a))).toBe(0);
        for (const c of ids) if (cmp(a, b) < 0 && cmp(b, c) < 0) expect(cmp(a, c)).toBeLessThan(0);
      }
    }
    expect(compareTradeOrder(0, "10", 0, "1a")).toBe(-1);
    expect(compareTradeOrder(0, "1a", 0, "9")).toBe(1);
  });
});

describe("compareDecimalStrings", () => {
  it("orders by value, not by length-blind string order", () => {
    expect(compareDecimalStrings("10", "9")).toBeGreaterThan(0);
    expect(compareDecimalStrings("0", "0")).toBe(0);
    expect(compareDecimalStrings("000", "0")).toBeGreaterThan(0);
    expect(compareDecimalStrings("18446744073709551616", "18446744073709551615")).toBeGreaterThan(0);
  });
});

describe("isSuspiciousTrade", () => {
  it("is true only for an explicit suspicious flag", () => {
    expect(isSuspiciousTrade(trade(T0, 1, 1, "1", { suspicious: true }))).toBe(true);
    expect(isSuspiciousTrade(trade(T0, 1, 1, "1", { suspicious: false }))).toBe(false);
    expect(isSuspiciousTrade(trade(T0, 1, 1, "1"))).toBe(false);
  });
});

describe("applyTrade", () => {
  it("starts a one-trade candle whose every price is the trade's", () => {
    const candle = applyTrade(undefined, trade(T0 + 1_234, 181.52, 100, "t1"), "1m");
    expect(candle).toEqual({
      symbol: "IBM",
      interval: "1m",
      windowStart: T0,
      open: 181.52,
      high: 181.52,
      low: 181.52,
      close: 181.52,
      volume: 100,
      notional: 181.52 * 100,
      vwap: (181.52 * 100) / 100,
      tradeCount: 1,
      firstTs: T0 + 1_234,
      firstTradeId: "t1",
      lastTs: T0 + 1_234,
      lastTradeId: "t1",
    });
    expect(candleSchema.safeParse(candle).success).toBe(true);
    expect(candleWindowEnd(candle as Candle)).toBe(T0 + 60_000);
  });

  it("computes OHLCV and VWAP of a small window by hand", () => {
    // notional = 10*100 + 12*50 + 9*150 + 11*200 = 1000 + 600 + 1350 + 2200 = 5150; volume = 500
    const candle = fold([
      trade(T0 + 10, 10, 100, "1"),
      trade(T0 + 20, 12, 50, "2"),
      trade(T0 + 30, 9, 150, "3"),
      trade(T0 + 40, 11, 200, "4"),
    ]);
    expect(candle).toMatchObject({ open: 10, high: 12, low: 9, close: 11, volume: 500, notional: 5150, vwap: 10.3, tradeCount: 4 });
  });

  it("takes open and close by (ts, tradeId) even when the ticks arrive reversed", () => {
    const candle = fold([trade(T0 + 5, 3, 1, "10"), trade(T0 + 5, 2, 1, "9"), trade(T0, 1, 1, "11")]);
    expect(candle).toMatchObject({ open: 1, firstTradeId: "11", close: 3, lastTs: T0 + 5, lastTradeId: "10" });
  });

  it("leaves the candle untouched for a suspicious trade", () => {
    const candle = fold([trade(T0, 10, 1, "1")]) as Candle;
    const bad = trade(T0 + 1, 1_000, 1, "2", { suspicious: true });
    expect(applyTrade(candle, bad, "1m")).toBe(candle);
    expect(applyTrade(undefined, bad, "1m")).toBeUndefined();
  });

  it("does not mutate the candle it is given", () => {
    const candle = Object.freeze(fold([trade(T0, 10, 1, "1")]) as Candle);
    const next = applyTrade(candle, trade(T0 + 1, 11, 2, "2"), "1m");
    expect(next).not.toBe(candle);
    expect(candle.volume).toBe(1);
    expect(next.volume).toBe(3);
  });

  it("refuses a trade from the next window, even at its exact first millisecond", () => {
    const candle = fold([trade(T0, 10, 1, "1")]) as Candle;
    expect(() => applyTrade(candle, trade(T0 + 60_000, 10, 1, "2"), "1m")).toThrow(RangeError);
    expect(applyTrade(candle, trade(T0 + 59_999, 10, 1, "2"), "1m").tradeCount).toBe(2);
  });

  it("refuses a trade of another symbol or interval", () => {
    const candle = fold([trade(T0, 10, 1, "1")]) as Candle;
    expect(() => applyTrade(candle, trade(T0, 10, 1, "2", { symbol: "AAPL" }), "1m")).toThrow(RangeError);
    expect(() => applyTrade(candle, trade(T0, 10, 1, "2"), "5m")).toThrow(RangeError);
  });
});

describe("mergeCandles", () => {
  const a = fold([trade(T0 + 1, 10, 2, "1"), trade(T0 + 50_000, 14, 1, "5")]) as Candle;
  const b = fold([trade(T0 + 1, 9, 4, "2"), trade(T0 + 30_000, 8, 1, "3")]) as Candle;
  const c = fold([trade(T0 + 59_999, 12, 3, "6")]) as Candle;

  it("combines partial candles into the candle of all their trades", () => {
    expect(mergeCandles(a, b)).toMatchObject({
      open: 10,
      firstTradeId: "1",
      high: 14,
      low: 8,
      close: 14,
      lastTradeId: "5",
      volume: 8,
      notional: 20 + 14 + 36 + 8,
      vwap: 78 / 8,
      tradeCount: 4,
    });
  });

  it("is commutative and associative", () => {
    expect(mergeCandles(a, b)).toEqual(mergeCandles(b, a));
    expect(mergeCandles(mergeCandles(a, b), c)).toEqual(mergeCandles(a, mergeCandles(b, c)));
    expect(mergeCandles(mergeCandles(c, a), b)).toEqual(mergeCandles(a, mergeCandles(c, b)));
  });

  it("stays commutative when a redelivered trade id carries a different price", () => {
    const x = fold([trade(T0, 10, 1, "7")]) as Candle;
    const y = fold([trade(T0, 11, 1, "7")]) as Candle;
    expect(mergeCandles(x, y)).toEqual(mergeCandles(y, x));
    expect(mergeCandles(x, y)).toMatchObject({ open: 10, close: 11 });
  });

  it("refuses to merge candles of different windows", () => {
    const next = fold([trade(T0 + 60_000, 10, 1, "9")]) as Candle;
    expect(() => mergeCandles(a, next)).toThrow(/different windows/);
  });

  it("gives a merged one-trade candle the same vwap as the trade's own candle", () => {
    const single = candleFromTrade(trade(T0, 0.1, 3, "1"), "1m");
    expect(single.vwap).toBe(single.notional / single.volume);
  });
});

describe("order independence", () => {
  const sortedByOrder = (trades: readonly Trade[]) => [...trades].sort((x, y) => compareTradeOrder(x.ts, x.tradeId, y.ts, y.tradeId));

  it("folds any shuffle of the same trades into exactly the sorted fold's candle (dyadic values)", () => {
    const trades = dyadicTrades(300, 7);
    const expected = fold(sortedByOrder(trades));
    for (let seed = 1; seed <= 50; seed++) expect(fold(shuffled(trades, seed))).toEqual(expected);
  });

  it("merges partial candles of any split and any order into the same candle", () => {
    const trades = dyadicTrades(120, 11);
    const expected = fold(sortedByOrder(trades)) as Candle;
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed * 97);
      const order = shuffled(trades, seed);
      const parts: Candle[] = [];
      for (let i = 0; i < order.length;) {
        const len = 1 + Math.floor(random() * 20);
        parts.push(fold(order.slice(i, i + len)) as Candle);
        i += len;
      }
      const merged = shuffled(parts, seed + 1000).reduce((acc, part) => mergeCandles(acc, part));
      expect(merged).toEqual(expected);
    }
  });

  it("keeps discrete fields exact and sums within rounding for arbitrary decimal prices", () => {
    const random = seededRandom(3);
    const trades = Array.from({ length: 200 }, (_, i) =>
      trade(
        T0 + Math.floor(random() * 60_000),
        Math.round((50 + random() * 10) * 100) / 100,
        Math.round(random() * 1000) / 100 + 0.01,
        `x${i}`,
      ),
    );
    const expected = fold(sortedByOrder(trades)) as Candle;
    for (let seed = 1; seed <= 20; seed++) {
      const got = fold(shuffled(trades, seed)) as Candle;
      const { volume, notional, vwap, ...discrete } = got;
      const { volume: eVolume, notional: eNotional, vwap: eVwap, ...eDiscrete } = expected;
      expect(discrete).toEqual(eDiscrete);
      expect(volume).toBeCloseTo(eVolume, 9);
      expect(notional).toBeCloseTo(eNotional, 7);
      expect(vwap).toBeCloseTo(eVwap, 9);
    }
  });
});
