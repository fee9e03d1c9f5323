import { describe, expect, it } from "vitest";
import {
  createAnomalyState,
  DEFAULT_ANOMALY_CONFIG,
  median,
  medianAbsoluteDeviation,
  robustZ,
  stepAnomaly,
  type AnomalyAlert,
  type AnomalyConfig,
  type AnomalyObservation,
  type AnomalyState,
} from "./anomaly";

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
    const obs: AnomalyObservation[] = Array.from({ length: 8 }, (_, i) => ({ type: "spread", symbol: "IBM", ts: i, bid: 99.99, ask: 100.01 }));
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
