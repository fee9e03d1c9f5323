import { describe, expect, it } from "vitest";
import { applyTrade, type Candle } from "./candles";
import {
  annualizeVariance,
  annualizeVolatility,
  createEma,
  createIndicatorState,
  createRealizedVol,
  createSma,
  candleIndicatorsOf,
  INDICATOR_HISTORY,
  realizedVolOfLast,
  restoreIndicatorState,
  smaOfLast,
  updateIndicators,
  type IndicatorHistoryItem,
  type IndicatorSnapshot,
} from "./indicators";

const T0 = Date.UTC(2024, 2, 15, 14, 30);

function minuteCandle(minute: number, close: number, symbol = "IBM"): Candle {
  return applyTrade(undefined, { symbol, ts: T0 + minute * 60_000, price: close, size: 1, tradeId: String(minute) }, "1m") as Candle;
}

describe("createSma", () => {
  it("is undefined until the window is full, then the mean of the last n values", () => {
    const sma = createSma(3);
    expect([1, 2, 3, 4, 5, 10].map((x) => sma.update(x))).toEqual([undefined, undefined, 2, 3, 4, 19 / 3]);
    expect(sma.value).toBe(19 / 3);
    expect(sma.count).toBe(6);
  });

  it("with period one is the last value", () => {
    const sma = createSma(1);
    expect([7, 3].map((x) => sma.update(x))).toEqual([7, 3]);
  });

  it("does not drift over a long run of values that do not sum exactly", () => {
    const sma = createSma(4);
    for (let i = 0; i < 100_000; i++) sma.update(i % 2 === 0 ? 0.1 : 1e6 + 0.3);
    for (const x of [0.1, 0.2, 0.3, 0.4]) sma.update(x);
    expect(sma.value).toBeCloseTo(0.25, 14);
  });

  it("refuses a bad period or input", () => {
    expect(() => createSma(0)).toThrow(RangeError);
    expect(() => createSma(2).update(Number.NaN)).toThrow(RangeError);
  });
});

describe("createEma", () => {
  it("seeds with the SMA of the first n values, then uses alpha = 2 / (n + 1)", () => {
    // n = 3, alpha = 0.5. Seed = (1 + 2 + 3) / 3 = 2.
    // 4 -> 0.5*4 + 0.5*2 = 3; 5 -> 0.5*5 + 0.5*3 = 4; 1 -> 0.5*1 + 0.5*4 = 2.5
    const ema = createEma(3);
    expect([1, 2, 3, 4, 5, 1].map((x) => ema.update(x))).toEqual([undefined, undefined, 2, 3, 4, 2.5]);
  });

  it("matches a hand computation with a non-binary alpha", () => {
    // n = 4, alpha = 0.4. Seed = (2 + 4 + 6 + 8) / 4 = 5.
    // 10 -> 0.4*10 + 0.6*5 = 7; 0 -> 0.4*0 + 0.6*7 = 4.2; 5 -> 0.4*5 + 0.6*4.2 = 4.52
    const ema = createEma(4);
    for (const x of [2, 4, 6, 8]) ema.update(x);
    expect(ema.value).toBe(5);
    expect(ema.update(10)).toBeCloseTo(7, 12);
    expect(ema.update(0)).toBeCloseTo(4.2, 12);
    expect(ema.update(5)).toBeCloseTo(4.52, 12);
  });

  it("with period one follows the input", () => {
    const ema = createEma(1); // alpha = 1
    expect([3, 9].map((x) => ema.update(x))).toEqual([3, 9]);
  });
});

describe("createRealizedVol", () => {
  it("needs n + 1 closes, then gives the sample stdev and the sum of squares of the log returns", () => {
    // returns ln(110/100) = 0.0953101798, ln(99/110) = -0.1053605157
    // sample stdev (n - 1 = 1) = |r1 - r2| / sqrt(2) = 0.1418956095; sum of squares = 0.0201848686
    const vol = createRealizedVol(2);
    expect(vol.update(100)).toBeUndefined();
    expect(vol.update(110)).toBeUndefined();
    const value = vol.update(99);
    expect(value?.stdev).toBeCloseTo(0.1418956095, 9);
    expect(value?.realizedVariance).toBeCloseTo(0.0201848686, 9);
  });

  it("rolls over the last n returns only", () => {
    // returns 0.01, -0.02, 0.03: mean 0.00667, squared deviations sum 0.00126667, / 2 -> stdev 0.0251661
    // then a 0.00 return drops the 0.01: same deviations, so the same stdev; sum of squares 0.0014 -> 0.0013
    const vol = createRealizedVol(3);
    let close = 100;
    vol.update(close);
    for (const r of [0.01, -0.02, 0.03]) vol.update((close *= Math.exp(r)));
    expect(vol.value?.stdev).toBeCloseTo(0.0251661148, 9);
    expect(vol.value?.realizedVariance).toBeCloseTo(0.0014, 12);
    vol.update(close);
    expect(vol.value?.stdev).toBeCloseTo(0.0251661148, 9);
    expect(vol.value?.realizedVariance).toBeCloseTo(0.0013, 12);
  });

  it("is zero for a flat series", () => {
    const vol = createRealizedVol(3);
    for (let i = 0; i < 5; i++) vol.update(42);
    expect(vol.value).toEqual({ stdev: 0, realizedVariance: 0 });
  });

  it("refuses non-positive closes and periods below two", () => {
    expect(() => createRealizedVol(1)).toThrow(RangeError);
    expect(() => createRealizedVol(2).update(0)).toThrow(RangeError);
    expect(() => createRealizedVol(2).update(-1)).toThrow(RangeError);
  });
});

describe("annualization", () => {
  it("scales volatility by the square root of periods per year and variance linearly", () => {
    expect(annualizeVolatility(0.01, 252)).toBeCloseTo(0.1587450787, 9);
    expect(annualizeVariance(0.0014, 3, 252)).toBeCloseTo(0.1176, 12);
    expect(() => annualizeVolatility(0.01, 0)).toThrow(RangeError);
  });
});

describe("whole-series forms", () => {
  // Closes whose sums are not exact in binary, so any other order of additions would show.
  const closes = Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i * 0.7) * 3.1 + i * 0.013);

  it("give, for every prefix of a series, exactly the doubles of the stream's indicators (sma20, realizedVol20)", () => {
    const state = createIndicatorState("IBM");
    closes.forEach((close, i) => {
      const snapshot = updateIndicators(state, minuteCandle(i, close)) as IndicatorSnapshot;
      const prefix = closes.slice(0, i + 1);
      expect(smaOfLast(prefix, 20) ?? null).toBe(snapshot.sma20);
      expect(smaOfLast(prefix, 50) ?? null).toBe(snapshot.sma50);
      expect(realizedVolOfLast(prefix, 20)?.stdev ?? null).toBe(snapshot.realizedVol20);
      expect(realizedVolOfLast(prefix, 20)?.realizedVariance ?? null).toBe(snapshot.realizedVariance20);
    });
  });

  it("are undefined until there are enough values, and refuse what the indicators refuse", () => {
    expect(smaOfLast([1, 2], 3)).toBeUndefined();
    expect(smaOfLast([1, 2, 3], 3)).toBe(2);
    expect(realizedVolOfLast([100, 101, 102], 3)).toBeUndefined();
    expect(realizedVolOfLast([100, 100, 100, 100], 3)).toEqual({ stdev: 0, realizedVariance: 0 });
    expect(() => smaOfLast([1, Number.NaN], 2)).toThrow(RangeError);
    expect(() => realizedVolOfLast([100, 0, 100], 2)).toThrow(RangeError);
  });
});

describe("indicator state", () => {
  it("reports null until each indicator has enough candles", () => {
    const state = createIndicatorState("IBM");
    let snapshot;
    for (let m = 1; m <= 19; m++) snapshot = updateIndicators(state, minuteCandle(m, m));
    expect(snapshot).toMatchObject({ sma20: null, ema20: null, realizedVol20: null, realizedVariance20: null, close: 19 });
    snapshot = updateIndicators(state, minuteCandle(20, 20));
    expect(snapshot).toMatchObject({ sma20: 10.5, ema20: 10.5, sma50: null, ema50: null, realizedVol20: null });
    snapshot = updateIndicators(state, minuteCandle(21, 21));
    expect(snapshot?.realizedVol20).toBeGreaterThan(0);
    expect(snapshot?.realizedVariance20).toBeGreaterThan(0);
  });

  it("tracks a price ramp by hand: the EMA lags it by (n - 1) / 2 once seeded", () => {
    // On closes 1, 2, 3, ... the seed at t = n is (n + 1) / 2 = t - (n - 1) / 2, and
    // alpha*(t + 1) + (1 - alpha)*(t - (n - 1)/2) = t + 1 - (n - 1)/2, so the lag stays put.
    const state = createIndicatorState("IBM");
    let snapshot;
    for (let m = 1; m <= 60; m++) snapshot = updateIndicators(state, minuteCandle(m, m));
    expect(snapshot?.sma20).toBeCloseTo(50.5, 12); // mean of 41..60
    expect(snapshot?.sma50).toBeCloseTo(35.5, 12); // mean of 11..60
    expect(snapshot?.ema20).toBeCloseTo(60 - 9.5, 9);
    expect(snapshot?.ema50).toBeCloseTo(60 - 24.5, 9);
    expect(snapshot).toMatchObject({ symbol: "IBM", interval: "1m", windowStart: T0 + 60 * 60_000, close: 60 });
  });

  it("ignores a candle at or before the last window it applied", () => {
    const state = createIndicatorState("IBM");
    const first = updateIndicators(state, minuteCandle(5, 10));
    expect(updateIndicators(state, minuteCandle(5, 99))).toBeUndefined();
    expect(updateIndicators(state, minuteCandle(4, 99))).toBeUndefined();
    expect(state.last).toBe(first);
    expect(state.sma20.count).toBe(1);
  });

  it("treats the next traded minute as the next period across a gap", () => {
    const state = createIndicatorState("IBM");
    updateIndicators(state, minuteCandle(1, 10));
    expect(updateIndicators(state, minuteCandle(9, 11))?.windowStart).toBe(T0 + 9 * 60_000);
    expect(state.sma20.count).toBe(2);
  });

  it("refuses a candle of another symbol or interval", () => {
    const state = createIndicatorState("IBM");
    expect(() => updateIndicators(state, minuteCandle(1, 10, "AAPL"))).toThrow(RangeError);
    const fiveMinute = applyTrade(undefined, { symbol: "IBM", ts: T0, price: 1, size: 1, tradeId: "1" }, "5m") as Candle;
    expect(() => updateIndicators(state, fiveMinute)).toThrow(RangeError);
  });
});

describe("restoreIndicatorState", () => {
  // A walk with irregular steps, so sums and EMAs are not exact in binary.
  const closes = Array.from({ length: 160 }, (_, i) => 100 + Math.sin(i * 0.7) * 3 + i * 0.013 + (i % 7) * 0.1);
  const candles = closes.map((close, minute) => minuteCandle(minute, close));

  function uninterrupted(): IndicatorSnapshot[] {
    const state = createIndicatorState("IBM");
    return candles.map((c) => updateIndicators(state, c) as IndicatorSnapshot);
  }

  /** What a restarted worker reads: the newest stored final candles before `next`, with their stored EMAs. */
  function storedBefore(next: number, snapshots: IndicatorSnapshot[]): IndicatorHistoryItem[] {
    return snapshots.slice(Math.max(0, next - INDICATOR_HISTORY), next).map((s) => {
      const stored = candleIndicatorsOf(s);
      return { windowStart: s.windowStart, close: s.close, ema20: stored.ema20, ema50: stored.ema50 };
    });
  }

  it("continues with exactly the values of an uninterrupted run, wherever the restart falls", () => {
    const reference = uninterrupted();
    for (const restartAt of [0, 1, 5, 19, 20, 21, 49, 50, 51, 52, 99, 150]) {
      const state = restoreIndicatorState("IBM", "1m", storedBefore(restartAt, reference));
      const resumed = candles.slice(restartAt).map((c) => updateIndicators(state, c));
      expect(resumed, `restart at candle ${restartAt}`).toEqual(reference.slice(restartAt));
    }
  });

  it("reports the newest history candle as last applied, so a replayed window is ignored", () => {
    const reference = uninterrupted();
    const state = restoreIndicatorState("IBM", "1m", storedBefore(60, reference));
    expect(state.last).toEqual(reference[59]);
    expect(updateIndicators(state, candles[59] as Candle)).toBeUndefined();
    expect(updateIndicators(state, candles[60] as Candle)).toEqual(reference[60]);
  });

  it("starts empty from no history and refuses history out of window order", () => {
    expect(restoreIndicatorState("IBM", "1m", []).last).toBeUndefined();
    expect(() =>
      restoreIndicatorState("IBM", "1m", [
        { windowStart: 2, close: 1 },
        { windowStart: 1, close: 1 },
      ]),
    ).toThrow(RangeError);
  });
});

describe("createEma resumed from a stored value", () => {
  it("counts as seeded and applies alpha from the stored value", () => {
    const ema = createEma(3, 2);
    expect(ema.value).toBe(2);
    expect(ema.update(4)).toBe(3);
    expect(() => createEma(3, Number.NaN)).toThrow(RangeError);
  });
});
