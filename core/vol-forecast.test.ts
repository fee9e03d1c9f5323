import { describe, expect, it } from "vitest";
import { createPrng, nextNormal } from "./simulator";
import {
  createEwma,
  fitHar,
  forecastHar,
  garmanKlassVariance,
  harFeatures,
  meanQlike,
  naiveForecast,
  olsFit,
  parkinsonVariance,
  qlike,
  rmseVariance,
  stepEwma,
} from "./vol-forecast";

describe("variance proxies", () => {
  it("computes Garman–Klass on a hand-computed bar", () => {
    // O 100, H 102, L 99, C 101: 0.5·ln(102/99)² − (2ln2 − 1)·ln(1.01)²
    const hl = Math.log(102 / 99); // 0.0298530
    const co = Math.log(1.01); // 0.0099503
    const expected = 0.5 * hl * hl - 0.3862944 * co * co; // 4.45602e-4 − 3.8247e-5
    expect(garmanKlassVariance({ open: 100, high: 102, low: 99, close: 101 })).toBeCloseTo(expected, 9);
    expect(garmanKlassVariance({ open: 100, high: 102, low: 99, close: 101 })).toBeCloseTo(4.0736e-4, 7);
  });

  it("gives 0 for a flat bar and matches Parkinson's formula", () => {
    expect(garmanKlassVariance({ open: 10, high: 10, low: 10, close: 10 })).toBe(0);
    expect(parkinsonVariance({ high: 102, low: 99 })).toBeCloseTo(Math.log(102 / 99) ** 2 / (4 * Math.LN2), 12);
  });
});

describe("losses", () => {
  it("computes QLIKE by hand and is zero at a perfect forecast", () => {
    expect(qlike(2, 2)).toBe(0);
    expect(qlike(2, 1)).toBeCloseTo(2 - Math.log(2) - 1, 12); // 0.3068528
    expect(qlike(1, 2)).toBeCloseTo(0.5 + Math.log(2) - 1, 12); // 0.1931472
    expect(meanQlike([2, 1], [1, 2])).toBeCloseTo(0.25, 12);
  });

  it("computes RMSE of variance by hand", () => {
    // errors 1, −2, 2 → sqrt((1 + 4 + 4) / 3)
    expect(rmseVariance([3, 1, 5], [2, 3, 3])).toBeCloseTo(Math.sqrt(3), 12);
  });
});

describe("baselines", () => {
  it("naive repeats the last value; EWMA follows the RiskMetrics recursion", () => {
    expect(naiveForecast([1, 2, 3])).toBe(3);
    const s = stepEwma(createEwma(1), 2);
    expect(s.variance).toBeCloseTo(0.94 + 0.06 * 2, 12);
    expect(stepEwma(s, 0).variance).toBeCloseTo(0.94 * 1.06, 12);
  });
});

describe("HAR-RV", () => {
  it("builds daily, weekly and monthly regressors from the last 22 values", () => {
    const h = Array.from({ length: 22 }, (_, i) => i + 1);
    expect(harFeatures(h)).toEqual([22, 20, 11.5]);
    expect(harFeatures(h.slice(1))).toBeNull();
  });

  it("OLS recovers exact coefficients of a noiseless linear model", () => {
    const design = [
      [1, 1, 2, 3],
      [1, 2, 1, 0],
      [1, 0, 3, 1],
      [1, 4, 4, 2],
      [1, 3, 0, 5],
      [1, 5, 2, 2],
    ];
    const y = design.map((r) => 0.5 + 0.3 * (r[1] as number) - 0.2 * (r[2] as number) + 0.1 * (r[3] as number));
    const { beta, r2 } = olsFit(design, y);
    expect(beta[0]).toBeCloseTo(0.5, 10);
    expect(beta[1]).toBeCloseTo(0.3, 10);
    expect(beta[2]).toBeCloseTo(-0.2, 10);
    expect(beta[3]).toBeCloseTo(0.1, 10);
    expect(r2).toBeCloseTo(1, 10);
  });

  it("recovers the coefficients of a simulated log-HAR process (seeded)", () => {
    const truth = { intercept: -1.5, daily: 0.35, weekly: 0.3, monthly: 0.2 };
    const rng = createPrng(20_261_126, "har");
    const rv: number[] = Array.from({ length: 22 }, () => 1e-4);
    for (let t = 22; t < 6000; t++) {
      const [d, w, m] = harFeatures(rv) as [number, number, number];
      const mu = truth.intercept + truth.daily * Math.log(d) + truth.weekly * Math.log(w) + truth.monthly * Math.log(m);
      rv.push(Math.exp(mu + 0.4 * nextNormal(rng)));
    }
    const sample = rv.slice(500);
    const params = fitHar(
      sample,
      sample.map((_, i) => i),
      "log",
    );
    expect(params.coefficients.daily).toBeCloseTo(truth.daily, 1);
    expect(params.coefficients.weekly).toBeCloseTo(truth.weekly, 1);
    expect(params.coefficients.monthly).toBeCloseTo(truth.monthly, 1);
    expect(Math.abs(params.coefficients.intercept - truth.intercept)).toBeLessThan(0.5);
    expect(params.residualVariance).toBeCloseTo(0.16, 2);
    expect(params.nObs).toBe(sample.length - 22);
    expect(params.trainedTo).toBe(sample.length - 1);
    const next = forecastHar(params, sample);
    expect(next).toBeGreaterThan(0);
    expect(Number.isFinite(params.inSample.qlike)).toBe(true);
  });
});
