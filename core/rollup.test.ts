import { describe, expect, it } from "vitest";
import { applyTrade, type Candle } from "./candles";
import { windowStart, type StreamInterval } from "./intervals";
import { dayStartMs, previousDay, rollupCandle, rollupDay } from "./rollup";
import { createPrng, nextFloat } from "./simulator";
import type { Trade } from "./schemas";

const DAY = "2024-03-11";
const START = Date.parse(`${DAY}T00:00:00Z`);

function generatedTrades(seed: number, count: number): Trade[] {
  const prng = createPrng(seed, "ROLL");
  const rng = () => nextFloat(prng);
  const trades: Trade[] = [];
  for (let i = 0; i < count; i++) {
    // Anywhere in the day, with repeated timestamps and a few suspicious trades.
    const ts = START + Math.floor(rng() * 86_400_000);
    trades.push({
      symbol: "ROLL",
      ts,
      price: Math.round((50 + rng() * 10) * 100) / 100,
      size: 1 + Math.floor(rng() * 500),
      tradeId: String(i + 1),
      ...(i % 97 === 0 ? { suspicious: true } : {}),
    });
    if (i % 50 === 0) trades.push({ symbol: "ROLL", ts, price: 55, size: 10, tradeId: `x${i}` });
  }
  return trades;
}

function foldWindows(trades: readonly Trade[], interval: StreamInterval | "1d"): Candle[] {
  const windows = new Map<number, Candle>();
  for (const trade of trades) {
    const next = applyTrade(windows.get(windowStart(trade.ts, interval)), trade, interval);
    if (next) windows.set(next.windowStart, next);
  }
  return [...windows.values()];
}

function expectSameCandle(actual: Candle | undefined, expected: Candle | undefined): void {
  expect(actual).toBeDefined();
  const { volume, notional, vwap, ...exact } = actual as Candle;
  const { volume: v, notional: n, vwap: w, ...exactExpected } = expected as Candle;
  expect(exact).toEqual(exactExpected);
  expect(volume).toBeCloseTo(v, 6);
  expect(notional).toBeCloseTo(n, 4);
  expect(vwap).toBeCloseTo(w, 9);
}

describe("daily rollup", () => {
  it("equals folding the day's trades directly, from 1h and from 1m candles, in any input order", () => {
    for (const seed of [1, 2, 3]) {
      const trades = generatedTrades(seed, 3_000);
      const [direct] = foldWindows(trades, "1d");
      for (const interval of ["1h", "1m"] as const) {
        const candles = foldWindows(trades, interval);
        expectSameCandle(rollupDay("ROLL", DAY, candles), direct);
        expectSameCandle(rollupDay("ROLL", DAY, [...candles].reverse()), direct);
      }
    }
  });

  it("returns undefined for a day without candles and the candle itself, re-keyed, for one", () => {
    expect(rollupDay("ROLL", DAY, [])).toBeUndefined();
    const [one] = foldWindows(generatedTrades(4, 1), "1h");
    expect(rollupDay("ROLL", DAY, [one as Candle])).toEqual({ ...one, interval: "1d", windowStart: START });
  });

  it("accepts the first and last window of the day and refuses windows outside it", () => {
    const at = (ts: number): Candle => foldWindows([{ symbol: "ROLL", ts, price: 10, size: 1, tradeId: "1" }], "1h")[0] as Candle;
    expect(rollupCandle(undefined, at(START), "ROLL", START).windowStart).toBe(START);
    expect(rollupCandle(undefined, at(START + 86_399_999), "ROLL", START).lastTs).toBe(START + 86_399_999);
    expect(() => rollupCandle(undefined, at(START - 1), "ROLL", START)).toThrow(RangeError);
    expect(() => rollupCandle(undefined, at(START + 86_400_000), "ROLL", START)).toThrow(RangeError);
  });

  it("refuses a candle of another symbol or a daily candle", () => {
    const [c] = foldWindows(generatedTrades(5, 1), "1h");
    expect(() => rollupCandle(undefined, c as Candle, "OTHER", START)).toThrow(RangeError);
    expect(() => rollupCandle(undefined, { ...(c as Candle), interval: "1d", windowStart: START }, "ROLL", START)).toThrow(RangeError);
  });

  it("parses UTC days strictly and finds the previous UTC day across month and year ends", () => {
    expect(dayStartMs("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(() => dayStartMs("2023-02-29")).toThrow(RangeError);
    expect(() => dayStartMs("2024-3-1")).toThrow(RangeError);
    expect(previousDay(Date.UTC(2024, 2, 1, 0, 15))).toBe("2024-02-29");
    expect(previousDay(Date.UTC(2025, 0, 1, 0, 0))).toBe("2024-12-31");
    expect(previousDay(Date.UTC(2025, 0, 1) - 1)).toBe("2024-12-30");
  });
});
