import { describe, expect, it } from "vitest";
import { fitHar, type HarParams } from "./vol-forecast";
import {
  blendDayVariance,
  dailyVarianceSeries,
  DAILY_VARIANCE_FLOOR,
  harParamsSchema,
  isUsableHar,
  liveVolForecast,
  naiveInSampleQlike,
  sessionFraction,
  stepIntradayRv,
  type IntradayRv,
} from "./vol-forecast-live";

/** A level HAR with no residual: forecast = b0 + bd·d + bw·w + bm·m exactly. */
const LEVEL: HarParams = {
  model: "har-rv",
  transform: "level",
  proxy: "garman-klass",
  coefficients: { intercept: 1e-5, daily: 0.5, weekly: 0.25, monthly: 0.1 },
  residualVariance: 0,
  varianceFloor: 1e-10,
  trainedFrom: 0,
  trainedTo: 0,
  nObs: 100,
  inSample: { r2: 0.5, qlike: 0.2, rmseVariance: 1e-5 },
};

describe("training inputs", () => {
  it("turns daily bars into floored Garman–Klass variances with their dates", () => {
    const { rv, ts } = dailyVarianceSeries([
      { ts: 1, open: 100, high: 102, low: 99, close: 101 },
      { ts: 2, open: 10, high: 10, low: 10, close: 10 },
    ]);
    expect(rv[0]).toBeCloseTo(4.0736e-4, 7); // hand-computed in vol-forecast.test.ts
    expect(rv[1]).toBe(DAILY_VARIANCE_FLOOR);
    expect(ts).toEqual([1, 2]);
  });

  it("scores the naive forecast on the same targets as the HAR fit (t ≥ 22)", () => {
    // 22 ones, then 2, then 1: targets are t = 22 (a = 2, f = 1) and t = 23 (a = 1, f = 2).
    const rv = [...Array<number>(22).fill(1), 2, 1];
    // (2 − ln 2 − 1) + (0.5 + ln 2 − 1) = 0.5, mean 0.25
    expect(naiveInSampleQlike(rv)).toBeCloseTo(0.25, 12);
    expect(() => naiveInSampleQlike(Array<number>(22).fill(1))).toThrow(RangeError);
  });

  it("round-trips fitted parameters through the stored JSON schema", () => {
    const rv = Array.from({ length: 80 }, (_, i) => 1e-4 * (1 + 0.5 * Math.sin(i / 3) + 0.1 * (i % 7)));
    const params = fitHar(
      rv,
      rv.map((_, i) => i * 86_400_000),
    );
    expect(isUsableHar(params)).toBe(true);
    expect(harParamsSchema.parse(JSON.parse(JSON.stringify(params)))).toEqual(params);
    expect(harParamsSchema.safeParse({ ...params, model: "garch" }).success).toBe(false);
    expect(isUsableHar({ ...params, coefficients: { ...params.coefficients, daily: Number.NaN } })).toBe(false);
  });
});

describe("intraday realized variance", () => {
  it("sums each 1m candle's Garman–Klass variance and the squared gap from the previous close", () => {
    let s: IntradayRv | undefined;
    s = stepIntradayRv(s, { windowStart: 0, open: 100, high: 102, low: 99, close: 101 });
    expect(s.variance).toBeCloseTo(4.0736e-4, 7);
    const first = s.variance;
    // flat bar at 101.5: GK 0, gap ln(101.5/101)² = 0.00493829² = 2.43867e-5
    s = stepIntradayRv(s, { windowStart: 60_000, open: 101.5, high: 101.5, low: 101.5, close: 101.5 });
    expect(s.variance - first).toBeCloseTo(2.43867e-5, 9);
    expect(s).toMatchObject({ firstStartMs: 0, lastStartMs: 60_000, lastClose: 101.5, bars: 2 });
  });

  it("ignores a candle that is not after the last one folded", () => {
    const s = stepIntradayRv(undefined, { windowStart: 60_000, open: 1, high: 1.1, low: 0.9, close: 1 });
    expect(stepIntradayRv(s, { windowStart: 60_000, open: 1, high: 2, low: 0.5, close: 1 })).toBe(s);
    expect(stepIntradayRv(s, { windowStart: 0, open: 1, high: 2, low: 0.5, close: 1 })).toBe(s);
  });

  it("measures the elapsed session fraction, clamped to [0, 1]", () => {
    expect(sessionFraction(0, 195 * 60_000)).toBe(0.5);
    expect(sessionFraction(0, 39 * 60_000, 390)).toBeCloseTo(0.1, 12);
    expect(sessionFraction(1_000, 0)).toBe(0);
    expect(sessionFraction(0, 10 * 3_600_000)).toBe(1);
  });
});

describe("blend of the HAR forecast with today's realized variance", () => {
  it("is (2 − f)·RV + (1 − f)²·h on hand-computed values", () => {
    // h = 4e-4, RV = 1e-4, f = 0.25: 1.75·1e-4 + 0.5625·4e-4 = 1.75e-4 + 2.25e-4 = 4e-4
    expect(blendDayVariance(4e-4, 1e-4, 0.25)).toBeCloseTo(4e-4, 15);
    // h = 4e-4, RV = 3e-4, f = 0.5: 1.5·3e-4 + 0.25·4e-4 = 4.5e-4 + 1e-4 = 5.5e-4
    expect(blendDayVariance(4e-4, 3e-4, 0.5)).toBeCloseTo(5.5e-4, 15);
  });

  it("is the model before the open, the realized variance at the close, and h for a day on pace", () => {
    expect(blendDayVariance(4e-4, 0, 0)).toBe(4e-4);
    expect(blendDayVariance(4e-4, 7e-4, 1)).toBeCloseTo(7e-4, 15);
    for (const f of [0.1, 0.3, 0.9]) expect(blendDayVariance(2e-4, f * 2e-4, f)).toBeCloseTo(2e-4, 15);
  });

  it("refuses a non-positive model variance or a fraction outside [0, 1]", () => {
    expect(() => blendDayVariance(0, 1e-4, 0.5)).toThrow(RangeError);
    expect(() => blendDayVariance(1e-4, -1, 0.5)).toThrow(RangeError);
    expect(() => blendDayVariance(1e-4, 1e-4, 1.5)).toThrow(RangeError);
  });

  it("forecasts today from a level HAR and the intraday fold", () => {
    // history: 17 × 1e-4 then 5 × 2e-4 → d = 2e-4, w = 2e-4, m = (17e-4 + 10e-4)/22 = 1.227273e-4
    const history = [...Array<number>(17).fill(1e-4), ...Array<number>(5).fill(2e-4)];
    const h = 1e-5 + 0.5 * 2e-4 + 0.25 * 2e-4 + 0.1 * (27e-4 / 22); // 1.722727e-4
    const before = liveVolForecast(LEVEL, history, undefined, 0);
    expect(before).toEqual({
      harVariance: before.variance,
      realizedVariance: 0,
      elapsedFraction: 0,
      variance: before.variance,
      sigma: Math.sqrt(before.variance),
    });
    expect(before.variance).toBeCloseTo(h, 12);
    // 97.5 minutes into the session (f = 0.25), RV = 1e-4: 1.75e-4 + 0.5625·h
    const intraday: IntradayRv = { firstStartMs: 0, lastStartMs: 96 * 60_000, lastClose: 100, variance: 1e-4, bars: 97 };
    const live = liveVolForecast(LEVEL, history, intraday, 97.5 * 60_000);
    expect(live.elapsedFraction).toBeCloseTo(0.25, 12);
    expect(live.variance).toBeCloseTo(1.75e-4 + 0.5625 * h, 12);
    expect(live.sigma).toBeCloseTo(Math.sqrt(1.75e-4 + 0.5625 * h), 12);
  });
});
