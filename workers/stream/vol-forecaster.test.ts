import { describe, expect, it } from "vitest";
import pino from "pino";
import type { CassandraStore, StoredCandle } from "../../adapters/cassandra-store";
import type { VolForecastRow, VolModelRow, VolModelStore } from "../../adapters/vol-model-store";
import type { LiveUpdate } from "../../core/live-updates";
import type { HarParams } from "../../core/vol-forecast";
import { garmanKlassVariance } from "../../core/vol-forecast";
import { blendDayVariance } from "../../core/vol-forecast-live";
import { createVolForecaster, type VolForecasterOptions } from "./vol-forecaster";

const DAY = "2026-01-05";
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const SESSION = DAY_START + 14.5 * 3_600_000;
/** Level HAR with zero slopes: the HAR forecast is the intercept, 4e-4. */
const PARAMS: HarParams = {
  model: "har-rv",
  transform: "level",
  proxy: "garman-klass",
  coefficients: { intercept: 4e-4, daily: 0, weekly: 0, monthly: 0 },
  residualVariance: 0,
  varianceFloor: 1e-10,
  trainedFrom: 0,
  trainedTo: DAY_START - 86_400_000,
  nObs: 100,
  inSample: { r2: 0.4, qlike: 0.3, rmseVariance: 1e-4 },
};

function model(symbol: string, version: number): VolModelRow {
  return {
    symbol,
    version,
    model: "har-rv",
    params: PARAMS,
    trainedAtMs: version,
    jobId: "1",
    trainFromMs: 0,
    trainToMs: PARAMS.trainedTo,
    nObs: 100,
    r2: 0.4,
    inSampleQlike: 0.3,
    naiveQlike: 0.5,
  };
}

function stored(
  symbol: string,
  interval: "1d" | "1m",
  start: number,
  o: number,
  h: number,
  l: number,
  c: number,
  isFinal = true,
): StoredCandle {
  return {
    candle: {
      symbol,
      interval,
      windowStart: start,
      open: o,
      high: h,
      low: l,
      close: c,
      volume: 1,
      notional: c,
      vwap: c,
      tradeCount: 1,
      firstTs: start,
      firstTradeId: "1",
      lastTs: start,
      lastTradeId: "1",
    },
    isFinal,
    sourcePartition: undefined,
    lastOffset: undefined,
    updatedAtMs: undefined,
    indicators: {},
  };
}

/** Fakes of the two stores: daily candles per symbol, 1m candles (mutable), models, written forecasts. */
function fakes(dailyDays: Record<string, number>) {
  const minutes: StoredCandle[] = [];
  let latest: VolModelRow[] = [];
  const written: VolForecastRow[] = [];
  const store = {
    getCandles: (symbol: string, _i: string, _from: number, toMs: number, limit: number) =>
      Promise.resolve(
        Array.from({ length: Math.min(limit, dailyDays[symbol] ?? 0) }, (_, k) =>
          stored(symbol, "1d", DAY_START - (k + 1) * 86_400_000, 100, 101, 99, 100),
        ).filter((s) => s.candle.windowStart <= toMs),
      ),
    async *eachCandle(symbol: string, _i: string, fromMs: number, toMs: number) {
      for (const m of minutes)
        if (m.candle.symbol === symbol && m.candle.windowStart >= fromMs && m.candle.windowStart < toMs) yield await Promise.resolve(m);
    },
  } as unknown as CassandraStore;
  const models = {
    latestModels: (max: number) => Promise.resolve(latest.slice(0, max)),
    writeForecast: (row: VolForecastRow) => Promise.resolve(void written.push(row)),
  } as unknown as VolModelStore;
  /** A forecaster on these fakes at SESSION, holding up to 10 symbols; `options` replace any setting. */
  const forecaster = (options: Partial<VolForecasterOptions> = {}) =>
    createVolForecaster({ models, store, log, refreshMs: 1_000, maxSymbols: 10, nowMs: () => SESSION, ...options });
  return { store, models, minutes, written, forecaster, setModels: (rows: VolModelRow[]) => (latest = rows) };
}

const log = pino({ level: "silent" });

describe("volatility forecaster", () => {
  it("counts an open 1m candle in this minute's forecast but holds only final ones, so each candle counts once", async () => {
    const f = fakes({ AAA: 30 });
    f.setModels([model("AAA", 1)]);
    const published: LiveUpdate[] = [];
    let now = SESSION + 2 * 60_000 + 5_000;
    const forecaster = f.forecaster({ nowMs: () => now, publish: (u) => published.push(...u) });
    f.minutes.push(
      stored("AAA", "1m", SESSION, 100, 100.2, 99.9, 100.1),
      stored("AAA", "1m", SESSION + 60_000, 100.1, 100.3, 100, 100.2, false),
    );
    expect(await forecaster.refreshModels()).toBe(1);
    const gk = (o: number, h: number, l: number, c: number) => garmanKlassVariance({ open: o, high: h, low: l, close: c });
    const rv2 = gk(100, 100.2, 99.9, 100.1) + gk(100.1, 100.3, 100, 100.2); // no gap: open = previous close
    const first = f.written[0] as VolForecastRow;
    expect(first).toMatchObject({
      symbol: "AAA",
      day: DAY,
      modelVersion: 1,
      intradayBars: 2,
      referencePrice: 100,
      sessionStartMs: SESSION,
      throughMs: SESSION + 120_000,
    });
    expect(first.realizedVariance).toBeCloseTo(rv2, 15);
    expect(first.variance).toBeCloseTo(blendDayVariance(4e-4, rv2, 2 / 390), 15);
    expect(published).toHaveLength(1);

    // The open candle closes with a different high, and a third one arrives.
    f.minutes[1] = stored("AAA", "1m", SESSION + 60_000, 100.1, 100.5, 100, 100.2);
    f.minutes.push(stored("AAA", "1m", SESSION + 120_000, 100.3, 100.3, 100.3, 100.3));
    now += 60_000;
    const [second] = await forecaster.scoreAll();
    const gap = Math.log(100.3 / 100.2) ** 2;
    expect(second?.realizedVariance).toBeCloseTo(gk(100, 100.2, 99.9, 100.1) + gk(100.1, 100.5, 100, 100.2) + gap, 15);
    expect(second?.intradayBars).toBe(3);
  });

  it("skips a symbol with fewer than 22 daily candles, and picks up a new version at once", async () => {
    const f = fakes({ AAA: 30, BBB: 10 });
    f.setModels([model("AAA", 1), model("BBB", 1)]);
    const forecaster = f.forecaster();
    await forecaster.refreshModels();
    expect(f.written.map((w) => w.symbol)).toEqual(["AAA"]);
    expect(forecaster.stats()).toMatchObject({ symbols: 2, noHistory: 1, scored: 1, errors: 0 });
    // Before any trade of the day: the HAR forecast itself, no reference price.
    expect(f.written[0]).toMatchObject({
      variance: 4e-4,
      harVariance: 4e-4,
      elapsedFraction: 0,
      intradayBars: 0,
      referencePrice: undefined,
    });

    f.setModels([model("AAA", 2)]);
    expect(await forecaster.refreshModels()).toBe(1);
    expect(forecaster.modelVersion("AAA")).toBe(2);
    expect(forecaster.modelVersion("BBB")).toBeUndefined();
    expect(f.written.at(-1)).toMatchObject({ symbol: "AAA", modelVersion: 2 });
    expect(await forecaster.refreshModels()).toBe(0);
  });

  it("scores only the symbols this process owns, and the others once it owns them", async () => {
    const f = fakes({ AAA: 30, BBB: 30, CCC: 30 });
    f.setModels([model("AAA", 1), model("BBB", 1), model("CCC", 1)]);
    const owned = new Set(["BBB"]);
    const forecaster = f.forecaster({ owns: (symbol) => owned.has(symbol) });
    expect(await forecaster.refreshModels()).toBe(3);
    expect(forecaster.stats().symbols).toBe(3);
    expect(f.written.map((w) => w.symbol)).toEqual(["BBB"]);
    await forecaster.scoreAll();
    expect(f.written.map((w) => w.symbol)).toEqual(["BBB", "BBB"]);

    // A rebalance: this process now holds AAA and CCC, not BBB.
    owned.clear();
    owned.add("AAA").add("CCC");
    forecaster.requestScoring();
    await forecaster.stop();
    expect(
      f.written
        .slice(2)
        .map((w) => w.symbol)
        .sort(),
    ).toEqual(["AAA", "CCC"]);
    // Stopped: a late request does nothing.
    forecaster.requestScoring();
    await forecaster.stop();
    expect(f.written).toHaveLength(4);
  });

  it("holds at most maxSymbols symbols", async () => {
    const f = fakes({});
    f.setModels(["A", "B", "C"].map((s) => model(s, 1)));
    const forecaster = f.forecaster({ maxSymbols: 2 });
    await forecaster.refreshModels();
    expect(forecaster.stats().symbols).toBe(2);
  });
});
