import { describe, expect, it } from "vitest";
import { applyTrade, type Candle } from "../../core/candles";
import { createIndicatorState, updateIndicators } from "../../core/indicators";
import { VENUES, vwapAnchor } from "../../core/exchange-time";
import { CandleSeries, type CandleLike } from "./candle-series";
import { applyToChartArrays, buildChartArrays, chartHookDataset, realizedVolatilityPct, smaAt } from "./chart-data";

const candle = (minute: number, close: number, extra: Partial<CandleLike> = {}): CandleLike => ({
  windowStart: minute * 60_000,
  open: close - 1,
  high: close + 1,
  low: close - 2,
  close,
  volume: 100,
  vwap: close - 0.5,
  isFinal: true,
  ...extra,
});

describe("CandleSeries", () => {
  it("loads history in any order and keeps only the newest points that fit", () => {
    const series = new CandleSeries(3);
    series.load([candle(5, 15), candle(1, 11), candle(3, 13), candle(4, 14)]);
    expect(series.toArray().map((p) => p.x / 60_000)).toEqual([3, 4, 5]);
  });

  it("patches the open candle, appends the next window and evicts the oldest when full", () => {
    const series = new CandleSeries(2);
    series.load([candle(1, 11), candle(2, 12)]);
    expect(series.apply(candle(2, 12.5, { isFinal: false }))).toEqual({ kind: "patched", index: 1 });
    expect(series.last()).toMatchObject({ c: 12.5, final: false });
    expect(series.apply(candle(3, 13))).toEqual({ kind: "appended", evicted: true });
    expect(series.toArray().map((p) => p.x / 60_000)).toEqual([2, 3]);
  });

  it("keeps the live windows a reloaded history lacks, and a live window with more trades", () => {
    const live = new CandleSeries(5);
    live.load([candle(1, 11, { tradeCount: 3 }), candle(2, 12, { tradeCount: 3 })]);
    live.apply(candle(3, 13.5, { tradeCount: 9 }));
    live.apply(candle(4, 14, { tradeCount: 2 }));
    const reloaded = new CandleSeries(5);
    reloaded.load([candle(1, 11, { tradeCount: 3 }), candle(2, 12, { tradeCount: 3 }), candle(3, 13, { tradeCount: 5 })]);
    expect(reloaded.keepNewer(live)).toBe(2);
    expect(reloaded.toArray().map((p) => [p.x / 60_000, p.c, p.n])).toEqual([
      [1, 11, 3],
      [2, 12, 3],
      [3, 13.5, 9],
      [4, 14, 2],
    ]);
    // History that already has everything wins.
    const complete = new CandleSeries(5);
    complete.load([candle(3, 13.6, { tradeCount: 10 }), candle(4, 14.2, { tradeCount: 4 })]);
    expect(complete.keepNewer(live)).toBe(0);
    expect(complete.last()).toMatchObject({ c: 14.2, n: 4 });
  });

  it("corrects a held older window (late data) and ignores one older than the buffer", () => {
    const series = new CandleSeries(3);
    series.load([candle(1, 11), candle(2, 12), candle(3, 13)]);
    expect(series.apply(candle(2, 20))).toEqual({ kind: "patched", index: 1 });
    expect(series.apply(candle(0, 10))).toEqual({ kind: "stale" });
    expect(series.size).toBe(3);
  });
});

describe("chart arrays", () => {
  it("computes SMA only once a full window of closes exists", () => {
    const series = new CandleSeries(10);
    series.load([candle(1, 10), candle(2, 20), candle(3, 30)]);
    expect(smaAt(series, 1, 3)).toBeNull();
    expect(smaAt(series, 2, 3)).toBe(20);
    const arrays = buildChartArrays(series, 2);
    expect(arrays.sma.map((d) => d.y)).toEqual([null, 15, 25]);
    expect(arrays.volume[0]).toEqual({ x: 60_000, y: 100, up: true });
    // Session VWAP: (9.5·100 + 19.5·100 + 29.5·100) / 300.
    expect(arrays.vwap[2]).toEqual({ x: 180_000, y: 19.5 });
    expect(arrays.vwap[0]).toEqual({ x: 60_000, y: 9.5 });
  });

  it("stays equal to a full rebuild through patches, appends with eviction and late corrections", () => {
    const series = new CandleSeries(4);
    series.load([candle(1, 10), candle(2, 11), candle(3, 12)]);
    const arrays = buildChartArrays(series, 2);
    const updates = [candle(3, 12.4, { isFinal: false }), candle(4, 13), candle(5, 14), candle(6, 15), candle(4, 9), candle(0, 1)];
    for (const update of updates) {
      const result = series.apply(update);
      applyToChartArrays(arrays, series, result, 2);
      const rebuilt = buildChartArrays(series, 2);
      // After an eviction the first point keeps the SMA it had (its window's oldest close is gone
      // from the buffer, so a rebuild can only say null there); the session VWAP carries the
      // evicted candles, so it matches exactly.
      expect({ ...arrays, sma: arrays.sma.slice(1) }).toEqual({ ...rebuilt, sma: rebuilt.sma.slice(1) });
    }
    expect(arrays.candles).toHaveLength(4);
  });

  it("draws the SMA 20 and shows the σ the stream stores (sma20, rv20) for the same final 1m candles, loaded or live", () => {
    // Closes whose sums are not exact in binary: any other order of additions would differ.
    const closes = Array.from({ length: 45 }, (_, i) => 180 + Math.sin(i * 0.7) * 2.3 + i * 0.017);
    const state = createIndicatorState("EZC");
    const stored = closes.map((close, i) => {
      const final = applyTrade(undefined, { symbol: "EZC", ts: i * 60_000, price: close, size: 1, tradeId: String(i) }, "1m") as Candle;
      return updateIndicators(state, final);
    });
    const series = new CandleSeries(100);
    series.load(closes.slice(0, 40).map((close, i) => candle(i, close)));
    const arrays = buildChartArrays(series);
    for (let i = 40; i < closes.length; i++) applyToChartArrays(arrays, series, series.apply(candle(i, closes[i] as number)));

    expect(arrays.sma.map((d) => d.y)).toEqual(stored.map((s) => s?.sma20 ?? null));
    expect(realizedVolatilityPct(series.toArray())).toBe((stored.at(-1)?.realizedVol20 as number) * 100);
    expect(realizedVolatilityPct(series.toArray().slice(0, 20))).toBeNull();
  });

  it("restarts the session VWAP at each UTC day and skips candles without volume", () => {
    const series = new CandleSeries(10);
    const dayMinutes = 24 * 60;
    series.load([candle(dayMinutes - 1, 10), candle(dayMinutes, 20), candle(dayMinutes + 1, 30, { volume: 0 })]);
    expect(buildChartArrays(series).vwap.map((d) => d.y)).toEqual([9.5, 19.5, 19.5]);
  });

  it("keeps the session VWAP whole when the ring buffer evicts candles of the same day", () => {
    const small = new CandleSeries(2);
    const large = new CandleSeries(10);
    for (const series of [small, large]) {
      series.load([candle(1, 10)]);
      for (const c of [candle(2, 20, { volume: 300 }), candle(3, 30), candle(4, 40)]) series.apply(c);
    }
    expect(small.size).toBe(2);
    expect(buildChartArrays(small).vwap.at(-1)?.y).toBeCloseTo(buildChartArrays(large).vwap.at(-1)?.y ?? 0, 12);
  });

  it("anchors the session VWAP at the regular session's open, or over the extended hours on request, live updates included", () => {
    const ny = VENUES["us-equity"];
    // 2013-10-07: 13:28, 13:29 UTC are pre-market (09:28, 09:29 New York); 13:30 opens the session.
    const base = Date.UTC(2013, 9, 7, 13, 28) / 60_000;
    const history = [candle(base, 10), candle(base + 1, 20), candle(base + 2, 30)];
    const session = new CandleSeries(10, (x) => vwapAnchor(ny, "session", x));
    const extended = new CandleSeries(10, (x) => vwapAnchor(ny, "extended", x));
    session.load(history);
    extended.load(history);
    expect(buildChartArrays(session).vwap.map((d) => d.y)).toEqual([null, null, 29.5]);
    expect(buildChartArrays(extended).vwap.map((d) => d.y)).toEqual([9.5, 14.5, 19.5]);
    const arrays = buildChartArrays(session);
    expect(applyToChartArrays(arrays, session, session.apply(candle(base + 3, 40, { volume: 300 })))).toBe(true);
    expect(arrays.vwap.at(-1)?.y).toBeCloseTo((29.5 * 100 + 39.5 * 300) / 400, 12);
    expect(arrays).toEqual(buildChartArrays(session));
  });

  it("reports when nothing changed", () => {
    const series = new CandleSeries(2);
    series.load([candle(5, 1)]);
    const arrays = buildChartArrays(series);
    expect(applyToChartArrays(arrays, series, series.apply(candle(1, 1)))).toBe(false);
  });
});

describe("chart hook", () => {
  it("exposes the series' ends and the last candle's close and trade count, following live updates", () => {
    const series = new CandleSeries(3);
    expect(chartHookDataset(series)).toEqual({
      candles: "0",
      firstWindowStart: "",
      lastWindowStart: "",
      lastClose: "",
      lastTradeCount: "",
    });
    series.load([candle(1, 11, { tradeCount: 4 }), candle(2, 12, { tradeCount: 5 })]);
    expect(chartHookDataset(series)).toEqual({
      candles: "2",
      firstWindowStart: "60000",
      lastWindowStart: "120000",
      lastClose: "12",
      lastTradeCount: "5",
    });
    series.apply(candle(2, 12.25, { tradeCount: 6, isFinal: false }));
    expect(chartHookDataset(series)).toMatchObject({ candles: "2", lastClose: "12.25", lastTradeCount: "6" });
    series.apply(candle(3, 13));
    series.apply(candle(4, 14, { tradeCount: 1 }));
    // Evicted: the first window moves on, and three held windows one minute apart have no gap.
    expect(chartHookDataset(series)).toMatchObject({
      candles: "3",
      firstWindowStart: "120000",
      lastWindowStart: "240000",
      lastTradeCount: "1",
    });
  });
});
