import { describe, expect, it } from "vitest";
import { realizedVolatilityPct } from "./chart-data";
import { VENUES } from "../../core/exchange-time";
import { CHART_CAPACITY, initialView, isChartInterval, isDay, isLiveDay, liveSubscription, viewRange } from "./view-range";

const NY = VENUES["us-equity"];
const UTC24 = VENUES.crypto;

describe("symbol page ranges", () => {
  it("shows one trading day in the venue's zone for 1s and 1m, and more days for coarser intervals", () => {
    expect(viewRange("1m", "2013-10-07", NY)).toEqual({ from: Date.UTC(2013, 9, 7, 4), to: Date.UTC(2013, 9, 8, 4) - 1 });
    expect(viewRange("1m", "2013-10-07", UTC24)).toEqual({ from: Date.UTC(2013, 9, 7), to: Date.UTC(2013, 9, 8) - 1 });
    expect(viewRange("5m", "2013-10-07", NY).from).toBe(Date.UTC(2013, 9, 3, 4));
    expect(viewRange("1h", "2013-10-07", UTC24).from).toBe(Date.UTC(2013, 8, 8));
    // The 25-hour day of the autumn DST change: 1s requests span at most a day.
    const fall = viewRange("1s", "2013-11-03", NY);
    expect(fall.to + 1 - fall.from).toBe(86_400_000);
  });

  it("opens a past day of 1m candles on its regular session, anything else on the whole range", () => {
    expect(initialView("1m", "2013-10-07", NY, false)).toEqual({ min: Date.UTC(2013, 9, 7, 13, 30), max: Date.UTC(2013, 9, 7, 19, 59) });
    expect(initialView("1m", "2013-10-07", NY, true)).toBeNull();
    expect(initialView("5m", "2013-10-07", NY, false)).toBeNull();
    expect(initialView("1m", "2013-10-07", UTC24, false)).toBeNull();
  });

  it("shows a year of 1d candles, all of them in the chart, and follows only price and spread live", () => {
    const range = viewRange("1d", "2013-10-07", NY);
    expect(range).toEqual({ from: Date.UTC(2012, 9, 7), to: Date.UTC(2013, 9, 8) - 1 });
    expect(CHART_CAPACITY["1d"]).toBeGreaterThanOrEqual((range.to + 1 - range.from) / 86_400_000);
    expect(isChartInterval("1d")).toBe(true);
    expect(liveSubscription("IBM", "1d")).toEqual({ symbols: ["IBM"], types: ["price", "spread"] });
    expect(liveSubscription("IBM", "1m")).toEqual({ symbols: ["IBM"], intervals: ["1m"], types: ["candle", "price", "spread"] });
  });

  it("accepts only real days and known intervals from the URL", () => {
    expect(isDay("2013-10-07")).toBe(true);
    expect(isDay("2013-02-30")).toBe(false);
    expect(isDay("yesterday")).toBe(false);
    expect(isChartInterval("5m")).toBe(true);
    expect(isChartInterval("2m")).toBe(false);
  });

  it("treats only today as live, not the symbol's latest (replayed) day", () => {
    expect(isLiveDay("2025-01-01", "2025-01-01")).toBe(true);
    expect(isLiveDay("2013-10-07", "2025-01-01")).toBe(false);
  });
});

describe("realized volatility", () => {
  it("is the sample stdev of log returns in percent", () => {
    const closes = [100, 101, 100, 101].map((c) => ({ c }));
    const r = [Math.log(1.01), Math.log(100 / 101), Math.log(1.01)];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const expected = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 2) * 100;
    expect(realizedVolatilityPct(closes, 3)).toBeCloseTo(expected, 12);
    expect(realizedVolatilityPct(closes.slice(1), 3)).toBeNull();
  });

  it("uses only the last `period` returns", () => {
    const flatTail = [50, 100, 100, 100, 100].map((c) => ({ c }));
    expect(realizedVolatilityPct(flatTail, 3)).toBe(0);
  });
});
