import { describe, expect, it } from "vitest";
import { applyQualityTrade, createDataQualityState, dataQualityOf } from "./data-quality";
import type { Quote, Trade } from "./schemas";

const T0 = Date.UTC(2024, 2, 11, 14, 0);
const trade = (offsetMs: number, price: number, tradeId: string): Trade => ({ symbol: "DQ", ts: T0 + offsetMs, price, size: 100, tradeId });
const quote = (offsetMs: number, bid: number | undefined, ask: number | undefined): Quote => ({
  symbol: "DQ",
  ts: T0 + offsetMs,
  ...(bid !== undefined ? { bid, bidSize: 100 } : {}),
  ...(ask !== undefined ? { ask, askSize: 100 } : {}),
});
const report = (trades: Trade[], quotes: Quote[], options = {}) =>
  dataQualityOf("DQ", "2024-03-11", trades, quotes, { gapThresholdMs: 60_000, outlierSpreads: 2, ...options });

describe("data quality of a symbol's day", () => {
  it("reports an empty day as all zeros", () => {
    expect(report([], [])).toMatchObject({
      tradeCount: 0,
      quoteCount: 0,
      gapCount: 0,
      longestGapMs: 0,
      firstTradeTs: undefined,
      duplicateTradeIds: 0,
      crossedQuotes: 0,
    });
  });

  it("counts only pauses strictly longer than the threshold as gaps and keeps the longest", () => {
    const r = report(
      [trade(0, 10, "1"), trade(60_000, 10, "2"), trade(120_001, 10, "3"), trade(300_000, 10, "4"), trade(300_000, 10, "5")],
      [],
    );
    expect(r).toMatchObject({
      tradeCount: 5,
      gapCount: 2,
      longestGapMs: 179_999,
      longestGapStartTs: T0 + 120_001,
      firstTradeTs: T0,
      lastTradeTs: T0 + 300_000,
    });
  });

  it("counts each extra copy of a trade id, whatever its time", () => {
    const r = report([trade(0, 10, "1"), trade(1, 10, "1"), trade(2, 10, "2"), trade(5_000, 10, "1")], []);
    expect(r.duplicateTradeIds).toBe(2);
    expect(r.duplicateCheckComplete).toBe(true);
  });

  it("says when the duplicate check ran out of remembered ids", () => {
    const state = createDataQualityState("DQ", "2024-03-11", { maxTrackedTradeIds: 2 });
    for (const t of [trade(0, 10, "1"), trade(1, 10, "2"), trade(2, 10, "3"), trade(3, 10, "1")]) applyQualityTrade(state, t);
    expect(state.report).toMatchObject({ duplicateTradeIds: 1, duplicateCheckComplete: false });
  });

  it("flags prices outside [bid − k·spread, ask + k·spread] and not those on its edges", () => {
    // bid 10, ask 10.25: spread 0.25, k = 2 → band [9.5, 10.75] (binary-exact edges).
    const quotes = [quote(0, 10, 10.25)];
    const r = report([trade(1, 9.5, "1"), trade(2, 10.75, "2"), trade(3, 9.49, "3"), trade(4, 10.76, "4"), trade(5, 10.1, "5")], quotes);
    expect(r).toMatchObject({ outlierTrades: 2, tradesWithoutQuote: 0 });
  });

  it("uses a quote at the trade's own time, carries one side forward and ignores stale or missing quotes", () => {
    const r = report(
      [trade(0, 50, "1"), trade(1_000, 50, "2"), trade(2_000, 50, "3"), trade(200_000, 50, "4")],
      [quote(0, 10, undefined), quote(1_000, undefined, 10.1), quote(2_000, 49.9, undefined)],
      { quoteToleranceMs: 60_000 },
    );
    // t0: ask missing → no quote; t1000: bid 10/ask 10.1 → 50 is an outlier; t2000: bid 49.9 > ask 10.1 → crossed, no quote; t200000: stale.
    expect(r).toMatchObject({ quoteCount: 3, outlierTrades: 1, tradesWithoutQuote: 3, crossedQuotes: 1 });
  });

  it("counts crossed quotes but not locked ones", () => {
    const r = report([], [quote(0, 10, 10), quote(1, 10.2, 10.1), quote(2, 10, 10.1), quote(3, 10.5, undefined)]);
    expect(r.crossedQuotes).toBe(2);
  });
});
