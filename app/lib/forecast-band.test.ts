import { describe, expect, it } from "vitest";
import {
  forecastBand,
  forecastViewOfUpdate,
  formatModelVersion,
  newerForecast,
  withForecastUpdates,
  type ForecastView,
} from "./forecast-band";
import { LiveBatch } from "./live-batch";

const START = Date.parse("2026-01-05T14:30:00Z");
const VIEW: ForecastView = {
  day: "2026-01-05",
  modelVersion: Date.parse("2026-01-05T00:45:00Z"),
  ts: START + 390 * 60_000 + 60 * 60_000,
  sigma: 0.02,
  elapsedFraction: 1,
  sessionMinutes: 390,
  referencePrice: 100,
  sessionStartMs: START,
};

describe("forecast band", () => {
  it("opens from the day's open as σ·√τ and is flat at ±σ after the session length", () => {
    const band = forecastBand({ ...VIEW, ts: START + 390 * 60_000 }, 97.5 * 60_000);
    expect(band?.upper.map((p) => p.x)).toEqual([0, 1, 2, 3, 4].map((k) => START + k * 97.5 * 60_000));
    // τ = 0, 0.25, 0.5, 0.75, 1 → widths 0, 0.01, 0.0141421, 0.0173205, 0.02
    expect(band?.upper[0]?.y).toBe(100);
    expect(band?.upper[1]?.y).toBeCloseTo(100 * Math.exp(0.01), 10); // 101.0050167
    expect(band?.lower[1]?.y).toBeCloseTo(100 * Math.exp(-0.01), 10); // 99.0049834
    expect(band?.upper[4]?.y).toBeCloseTo(102.020134, 6);
    expect(band?.lower[4]?.y).toBeCloseTo(98.0198673, 6);
    const later = forecastBand(VIEW, 97.5 * 60_000);
    expect(later?.upper.at(-1)).toEqual({ x: VIEW.ts, y: later?.upper[4]?.y });
  });

  it("ends at the day's end for a forecast computed later, and names the model version", () => {
    const band = forecastBand({ ...VIEW, ts: Date.parse("2026-01-06T05:00:00Z") });
    expect(band?.upper.at(-1)?.x).toBe(Date.parse("2026-01-06T00:00:00Z"));
    expect(band?.label).toBe("±1σ forecast (model 2026-01-05 00:45Z)");
    expect(formatModelVersion(0)).toBe("1970-01-01 00:00Z");
  });

  it("is absent before the first trade of the day or without a forecast", () => {
    expect(forecastBand(null)).toBeNull();
    expect(forecastBand({ ...VIEW, referencePrice: null })).toBeNull();
    expect(forecastBand({ ...VIEW, sessionStartMs: null })).toBeNull();
    expect(forecastBand({ ...VIEW, sigma: 0 })).toBeNull();
  });

  it("keeps the newer of a loaded forecast and a live update", () => {
    const live = forecastViewOfUpdate({
      type: "forecast",
      symbol: "IBM",
      ts: VIEW.ts + 60_000,
      day: VIEW.day,
      modelVersion: 2,
      variance: 4e-4,
      sigma: 0.02,
      harVariance: 4e-4,
      realizedVariance: 1e-4,
      elapsedFraction: 0.5,
      sessionMinutes: 390,
    });
    expect(live.referencePrice).toBeNull();
    expect(newerForecast(VIEW, live)).toBe(live);
    expect(newerForecast(live, VIEW)).toBe(live);
    expect(newerForecast(null, VIEW)).toBe(VIEW);
    expect(newerForecast(VIEW, null)).toBe(VIEW);
    expect(newerForecast(VIEW, { ...live, day: "2026-01-04", ts: VIEW.ts + 10 * 86_400_000 })).toBe(VIEW);
  });
});

describe("live forecast updates", () => {
  it("adds forecast updates to a page's subscription once", () => {
    const q = withForecastUpdates({ symbols: ["IBM"], types: ["candle", "price"] });
    expect(q.types).toEqual(["candle", "price", "forecast"]);
    expect(withForecastUpdates(q)).toBe(q);
  });

  it("keeps the newest forecast per symbol in a frame's batch", () => {
    const batch = new LiveBatch();
    const base = {
      symbol: "IBM",
      day: "2026-01-05",
      modelVersion: 1,
      variance: 4e-4,
      sigma: 0.02,
      harVariance: 4e-4,
      realizedVariance: 0,
      elapsedFraction: 0,
      sessionMinutes: 390,
    };
    expect(batch.put("forecast", JSON.stringify({ ...base, ts: 1 }))).toBe(true);
    expect(batch.put("forecast", JSON.stringify({ ...base, ts: 2, modelVersion: 2 }))).toBe(true);
    const drained = batch.drain();
    expect(drained.forecasts).toEqual([{ ...base, ts: 2, modelVersion: 2, type: "forecast" }]);
    expect(batch.isEmpty).toBe(true);
  });
});
