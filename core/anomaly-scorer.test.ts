import { describe, expect, it } from "vitest";
import type { AnomalyConfig } from "./anomaly";
import { alertDetails } from "./anomaly-alerts";
import type { Candle } from "./candles";
import type { Trade } from "./schemas";
import { createAnomalyScorer, toAlertUpdates } from "./anomaly-scorer";

const SMALL: AnomalyConfig = {
  priceJump: { windowSize: 10, minHistory: 5, zThreshold: 5, minScale: 1e-4, tickSize: 0.01 },
  volumeSpike: { windowSize: 10, minHistory: 5, zThreshold: 5, minScale: 0.1 },
  spreadBlowout: { windowSize: 10, minHistory: 5, zThreshold: 5, minScale: 0.1, minRatioToMedian: 3 },
  episodeEndAfterNormal: 3,
};

const trade = (symbol: string, ts: number, price: number, extra: Partial<Trade> = {}): Trade => ({
  symbol,
  ts,
  price,
  size: 100,
  tradeId: `${symbol}-${ts}`,
  ...extra,
});
/** Quiet prices alternating by one tick, then `jumpTo` at ts = 1000·n. */
const quietThenJump = (symbol: string, n: number, jumpTo: number): Trade[] => [
  ...Array.from({ length: n }, (_, i) => trade(symbol, i * 1000, 100 + (i % 2) * 0.01)),
  trade(symbol, n * 1000, jumpTo),
];
const bar = (symbol: string, windowStart: number, volume: number): Candle => ({
  symbol,
  interval: "1m",
  windowStart,
  open: 100,
  high: 100,
  low: 100,
  close: 100,
  volume,
  notional: volume * 100,
  vwap: 100,
  tradeCount: 1,
  firstTs: windowStart,
  firstTradeId: "a",
  lastTs: windowStart,
  lastTradeId: "a",
});

describe("anomaly scorer", () => {
  it("raises exactly one alert, with a derived id, for a jump in a quiet series", () => {
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10 });
    const alerts = [...quietThenJump("IBM", 12, 103), trade("IBM", 13_000, 103.01), trade("IBM", 14_000, 103)].flatMap((t) =>
      scorer.scoreTrade(t),
    );
    expect(alerts.map((a) => a.id)).toEqual(["IBM:price_jump:12000"]);
    expect(scorer.stats()).toEqual({ alerts: 1, suppressed: 0, evicted: 0 });
  });

  it("does not score suspicious trades", () => {
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10 });
    const trades = quietThenJump("IBM", 12, 103);
    trades[trades.length - 1] = { ...(trades[trades.length - 1] as Trade), suspicious: true };
    expect(trades.flatMap((t) => scorer.scoreTrade(t))).toEqual([]);
  });

  it("replaying what a previous run scored raises nothing, yet keeps the episode open past the horizon", () => {
    // The previous run scored through the jump (12 000); the replay's baseline differs (it starts cold)
    // but the jump and the jumping tick after it belong to the stored episode.
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10, scoredThroughMs: [["IBM", 12_000]] });
    const replay = [...quietThenJump("IBM", 12, 103), trade("IBM", 13_000, 108)];
    expect(replay.flatMap((t) => scorer.scoreTrade(t))).toEqual([]);
    expect(scorer.stats()).toMatchObject({ alerts: 0, suppressed: 1 });
  });

  it("alerts again after the horizon once the episode has ended", () => {
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10, scoredThroughMs: [["IBM", 12_000]] });
    const later = [103.01, 103, 103.01, 103].map((p, i) => trade("IBM", 13_000 + i * 1000, p));
    const alerts = [...quietThenJump("IBM", 12, 103), ...later, trade("IBM", 17_000, 110)].flatMap((t) => scorer.scoreTrade(t));
    expect(alerts.map((a) => a.id)).toEqual(["IBM:price_jump:17000"]);
  });

  it("scores final 1m bars only, and not bars ending at or before the restored drained watermark", () => {
    const quiet = [1000, 1100, 900, 1000, 1050, 950];
    const fresh = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10 });
    const bars = [...quiet.map((v, i) => bar("IBM", i * 60_000, v)), bar("IBM", 6 * 60_000, 20_000)];
    expect(fresh.scoreBar({ ...bar("IBM", 0, 1), interval: "1s" }, true)).toEqual([]);
    expect(fresh.scoreBar(bar("IBM", 0, 1), false)).toEqual([]);
    expect(bars.flatMap((b) => fresh.scoreBar(b, true)).map((a) => a.id)).toEqual([`IBM:volume_spike:${6 * 60_000}`]);
    const restored = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10, barsScoredThroughMs: 7 * 60_000 });
    expect(bars.flatMap((b) => restored.scoreBar(b, true))).toEqual([]);
  });

  it("scores NBBO spreads and ignores crossed ones", () => {
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10 });
    const alerts = [
      ...Array.from({ length: 8 }, (_, i) => scorer.scoreNbbo("IBM", i, 99.99, 100.01)),
      scorer.scoreNbbo("IBM", 8, 100.1, 99.9),
      scorer.scoreNbbo("IBM", 9, 99.9, 100.1),
    ].flat();
    expect(alerts.map((a) => a.kind)).toEqual(["spread_blowout"]);
  });

  it("holds at most maxSymbols symbols, dropping the least recently seen", () => {
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 2 });
    for (const s of ["A", "B", "A", "C"]) scorer.scoreTrade(trade(s, 0, 10));
    expect(scorer.symbolCount()).toBe(2);
    expect(scorer.knows("A")).toBe(true);
    expect(scorer.knows("B")).toBe(false);
    expect(scorer.stats().evicted).toBe(1);
  });

  it("remembers symbols looked up lazily, whether or not a previous run scored them", () => {
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10 });
    scorer.setScoredThrough("NEW", undefined);
    scorer.setScoredThrough("OLD", 5_000);
    expect(scorer.knows("NEW") && scorer.knows("OLD")).toBe(true);
  });

  it("derives one alert id for the stored details and the live update", () => {
    const scorer = createAnomalyScorer({ detectors: SMALL, maxSymbols: 10 });
    const [alert] = quietThenJump("IBM", 12, 103).flatMap((t) => scorer.scoreTrade(t));
    if (alert === undefined) throw new Error("no alert");
    expect(alert).toMatchObject({ id: "IBM:price_jump:12000", symbol: "IBM", kind: "price_jump", ts: 12_000 });
    expect(alertDetails(alert)).toMatchObject({ level: "critical", episodeStartTs: 12_000, inputs: { fromPrice: 100.01, toPrice: 103 } });
    expect(toAlertUpdates([alert])).toEqual([expect.objectContaining({ type: "alert", id: alert.id, ts: 12_000, severity: "critical" })]);
  });
});
