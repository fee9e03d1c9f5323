import { describe, expect, it } from "vitest";
import {
  createAnomalyState,
  DEFAULT_ANOMALY_CONFIG,
  median,
  medianAbsoluteDeviation,
  robustZ,
  robustZSorted,
  stepAnomaly,
  type AnomalyAlert,
  type AnomalyConfig,
  type AnomalyObservation,
  type AnomalyState,
} from "./anomaly";
import { createPrng, nextFloat } from "./simulator";

const SMALL: AnomalyConfig = {
  priceJump: { windowSize: 10, minHistory: 5, zThreshold: 5, minScale: 1e-4, tickSize: 0 },
  volumeSpike: { windowSize: 10, minHistory: 5, zThreshold: 5, minScale: 0.1 },
  spreadBlowout: { windowSize: 10, minHistory: 5, zThreshold: 5, minScale: 0.1, minRatioToMedian: 3 },
  episodeEndAfterNormal: 3,
};

function run(observations: AnomalyObservation[], config: AnomalyConfig = SMALL): { state: AnomalyState; alerts: AnomalyAlert[] } {
  let state = createAnomalyState();
  const alerts: AnomalyAlert[] = [];
  for (const obs of observations) {
    const out = stepAnomaly(state, obs, config);
    state = out.state;
    alerts.push(...out.alerts);
  }
  return { state, alerts };
}

const price = (ts: number, p: number): AnomalyObservation => ({ type: "price", symbol: "IBM", ts, price: p });

describe("median and MAD", () => {
  it("computes the median of odd and even arrays by hand", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it("computes MAD of [1, 2, 3, 4, 100] as 1 (deviations 2,1,0,1,98)", () => {
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
  });

  it("scores a robust z with scale 1.4826·MAD", () => {
    const { z, median: m, scale } = robustZ(10, [1, 2, 3, 4, 100], 0);
    expect(m).toBe(3);
    expect(scale).toBeCloseTo(1.4826, 12);
    expect(z).toBeCloseTo(7 / 1.4826, 12);
  });

  it("keeps z finite when MAD is 0 by using the scale floor", () => {
    const { z, scale } = robustZ(0.01, [0, 0, 0, 0], 1e-4);
    expect(scale).toBe(1e-4);
    expect(z).toBeCloseTo(100, 9);
    expect(Number.isFinite(robustZ(5, [5, 5, 5], 0).z)).toBe(true);
  });
});

describe("robust z over a sorted window", () => {
  it("gives exactly robustZ's median, scale and z on random windows of odd and even length, ties included", () => {
    const rng = createPrng(7, "test-robust-z");
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(nextFloat(rng) * 60);
      // Rounded to a few values in some trials so that ties and MAD 0 occur.
      const coarse = trial % 3 === 0;
      const window = Array.from({ length: n }, () => (coarse ? Math.round(nextFloat(rng) * 4) : nextFloat(rng) * 2 - 1));
      const x = nextFloat(rng) * 10 - 5;
      const floor = (m: number) => 1e-3 * Math.abs(m);
      expect(
        robustZSorted(
          x,
          [...window].sort((a, b) => a - b),
          floor,
        ),
      ).toEqual(robustZ(x, window, floor));
    }
  });

  it("keeps the sorted copy equal to the window as it slides", () => {
    const rng = createPrng(11, "test-sorted-window");
    const state = createAnomalyState();
    for (let i = 0; i < 300; i++) stepAnomaly(state, price(i, 100 + Math.round(nextFloat(rng) * 5) * 0.01), SMALL);
    const det = state.IBM?.price;
    expect(det?.sorted).toEqual([...(det?.window ?? [])].sort((a, b) => a - b));
    expect(det?.sorted).toHaveLength(10);
  });
});

describe("price jumps", () => {
  it("does not alert during warm-up, however large the move", () => {
    const { alerts } = run([price(0, 100), price(1, 100), price(2, 150), price(3, 100)]);
    expect(alerts).toEqual([]);
  });

  it("flat prices give MAD 0 without NaN, and a later jump alerts once with a finite severity", () => {
    const obs = Array.from({ length: 20 }, (_, i) => price(i * 1000, 100));
    obs.push(price(20_000, 101));
    const { alerts } = run(obs);
    expect(alerts).toHaveLength(1);
    const a = alerts[0] as AnomalyAlert;
    expect(a.observed).toBeCloseTo(Math.log(1.01), 12);
    expect(a.baselineScale).toBe(1e-4);
    expect(a.severity).toBeCloseTo(Math.log(1.01) / 1e-4, 6);
    expect(a.id).toBe("IBM:price_jump:20000");
    expect(a.inputs).toEqual({ fromPrice: 100, toPrice: 101 });
  });

  it("floors the scale at one tick, so two-tick moves of a low-priced stock are not jumps", () => {
    const ticked: AnomalyConfig = { ...SMALL, priceJump: { ...SMALL.priceJump, tickSize: 0.01 } };
    const flat = Array.from({ length: 10 }, (_, i) => price(i * 1000, 11.6));
    expect(run([...flat, price(10_000, 11.62)], ticked).alerts).toEqual([]);
    const jumped = run([...flat, price(10_000, 11.8)], ticked).alerts;
    expect(jumped).toHaveLength(1);
    expect(jumped[0]?.baselineScale).toBeCloseTo(Math.log1p(0.01 / 11.6), 12);
  });

  it("raises one alert for a multi-tick episode and a new one after M normal observations", () => {
    const prices = [100, 100.01, 100, 100.01, 100, 100.01, 100]; // warm-up: returns ±1 bp
    prices.push(105, 110, 116); // three jumping ticks: one episode
    prices.push(116.01, 116, 116.01); // 3 normal: episode ends
    prices.push(125); // a new episode
    const { alerts } = run(prices.map((p, i) => price(i * 1000, p)));
    expect(alerts.map((a) => a.id)).toEqual(["IBM:price_jump:7000", "IBM:price_jump:13000"]);
  });

  it("keeps an episode open while normal runs are shorter than M", () => {
    const prices = [100, 100.01, 100, 100.01, 100, 100.01, 100, 105, 105.01, 105, 110];
    const { alerts } = run(prices.map((p, i) => price(i * 1000, p)));
    expect(alerts).toHaveLength(1);
  });

  it("keeps the window bounded and symbols separate", () => {
    const obs: AnomalyObservation[] = [];
    for (let i = 0; i < 100; i++) {
      obs.push(price(i, 100 + (i % 2) * 0.01));
      obs.push({ type: "price", symbol: "SPY", ts: i, price: 400 });
    }
    const { state } = run(obs);
    expect(state.IBM?.price.window).toHaveLength(10);
    expect(state.SPY?.price.window.every((r) => r === 0)).toBe(true);
  });
});

describe("ordering and state", () => {
  it("ignores a price older than the last one, so out-of-order trades make no return", () => {
    const warm = [100, 100.01, 100, 100.01, 100, 100.01, 100].map((p, i) => price(i * 1000, p));
    const { alerts, state } = run([...warm, price(500, 150), price(7_000, 100.01)]);
    expect(alerts).toEqual([]);
    expect(state.IBM?.lastPrice).toBe(100.01);
  });

  it("scores a bar once: a corrected bar with the same start is not a new bar", () => {
    const bars: AnomalyObservation[] = [1000, 1100, 900, 1000, 1050, 950].map((v, i) => ({
      type: "volume",
      symbol: "IBM",
      ts: i,
      volume: v,
    }));
    bars.push({ type: "volume", symbol: "IBM", ts: 5, volume: 50_000 });
    expect(run(bars).alerts).toEqual([]);
  });

  it("mutates one symbol's state in place instead of copying the whole state per step", () => {
    const state = createAnomalyState();
    const first = stepAnomaly(state, price(0, 100), SMALL);
    const ibm = state.IBM;
    const second = stepAnomaly(state, price(1, 100.01), SMALL);
    expect(first.state).toBe(state);
    expect(second.state).toBe(state);
    expect(state.IBM).toBe(ibm);
    expect(ibm?.price.window).toHaveLength(1);
  });

  it("keeps symbols named like Object members apart from the prototype", () => {
    const { state } = run([
      { type: "price", symbol: "CONSTRUCTOR", ts: 0, price: 1 },
      { type: "price", symbol: "__proto__", ts: 0, price: 1 },
    ]);
    expect(Object.keys(state).sort()).toEqual(["CONSTRUCTOR", "__proto__"]);
  });
});

describe("volume spikes and spread blow-outs", () => {
  it("alerts on a bar volume far above the rolling median, upward only", () => {
    const vols = [1000, 1100, 900, 1000, 1050, 950];
    const obs: AnomalyObservation[] = vols.map((v, i) => ({ type: "volume", symbol: "IBM", ts: i, volume: v }));
    obs.push({ type: "volume", symbol: "IBM", ts: 6, volume: 0 });
    obs.push({ type: "volume", symbol: "IBM", ts: 7, volume: 10_000 });
    const { alerts } = run(obs);
    expect(alerts).toHaveLength(1);
    const a = alerts[0] as AnomalyAlert;
    // window [1000,1100,900,1000,1050,950,0]: median 1000, |dev| [0,100,100,0,50,50,1000] → MAD 50
    expect(a.baselineMedian).toBe(1000);
    expect(a.baselineScale).toBe(100); // floor 0.1 × 1000 beats 1.4826 × 50 = 74.13
    expect(a.severity).toBeCloseTo(90, 9);
    expect(a.kind).toBe("volume_spike");
  });

  it("alerts when the spread in bps jumps to several times its median", () => {
    const obs: AnomalyObservation[] = Array.from({ length: 8 }, (_, i) => ({
      type: "spread",
      symbol: "IBM",
      ts: i,
      bid: 99.99,
      ask: 100.01,
    }));
    obs.push({ type: "spread", symbol: "IBM", ts: 8, bid: 99.9, ask: 100.1 });
    obs.push({ type: "spread", symbol: "IBM", ts: 9, bid: 100.1, ask: 99.9 }); // crossed: ignored
    const { alerts } = run(obs);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.observed).toBeCloseTo(20, 9);
    expect(alerts[0]?.baselineMedian).toBeCloseTo(2, 9);
  });

  it("ships defaults that satisfy minHistory ≤ windowSize", () => {
    for (const d of [DEFAULT_ANOMALY_CONFIG.priceJump, DEFAULT_ANOMALY_CONFIG.volumeSpike, DEFAULT_ANOMALY_CONFIG.spreadBlowout]) {
      expect(d.minHistory).toBeLessThanOrEqual(d.windowSize);
    }
  });
});
