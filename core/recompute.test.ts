import { describe, expect, it } from "vitest";
import { compareTradeOrder } from "./candles";
import { candleIndicatorsOf, createIndicatorState, updateIndicators } from "./indicators";
import { STREAM_INTERVALS } from "./intervals";
import { addArchivedTrade, createDayRecompute, daysBetween, finishDayRecompute, type RecomputedCandle } from "./recompute";
import { createPrng, nextFloat } from "./simulator";
import type { Trade } from "./schemas";
import { addTrade, createAggregator, drainClosed } from "./window-aggregator";

const DAY_MS = Date.parse("2024-03-11T00:00:00Z");

/** A day of trades in archive order: (ts, trade id), with repeated timestamps and some suspicious trades. */
function archiveDay(seed: number, count: number, dayMs = DAY_MS): Trade[] {
  const prng = createPrng(seed, "RECO");
  const trades: Trade[] = [];
  for (let i = 0; i < count; i++) {
    const ts = dayMs + Math.floor(nextFloat(prng) * 6 * 3_600_000);
    trades.push({
      symbol: "RECO",
      ts,
      price: Math.round((50 + nextFloat(prng) * 10) * 100) / 100,
      size: 1 + Math.floor(nextFloat(prng) * 500),
      tradeId: `${i}`,
      ...(i % 97 === 0 ? { suspicious: true } : {}),
    });
  }
  return trades.sort((a, b) => compareTradeOrder(a.ts, a.tradeId, b.ts, b.tradeId));
}

/** What the stream worker stores: the aggregator fed in arrival order with offsets and lateness, indicators over final 1m candles. */
function streamFold(days: readonly Trade[][]): Map<string, RecomputedCandle> {
  const agg = createAggregator({ intervals: STREAM_INTERVALS, allowedLatenessMs: 2_000 });
  const indicators = createIndicatorState("RECO", "1m");
  const out = new Map<string, RecomputedCandle>();
  const take = (candles: { candle: RecomputedCandle["candle"] }[]) => {
    for (const { candle } of candles) {
      const snapshot = candle.interval === "1m" ? updateIndicators(indicators, candle) : undefined;
      out.set(`${candle.interval}|${candle.windowStart}`, snapshot ? { candle, indicators: candleIndicatorsOf(snapshot) } : { candle });
    }
  };
  let offset = 0;
  for (const trades of days) {
    for (const trade of trades) {
      addTrade(agg, trade, { offset: String(offset++) });
      take(drainClosed(agg));
    }
  }
  take(drainClosed(agg, Number.POSITIVE_INFINITY));
  return out;
}

function recomputeDay(
  trades: readonly Trade[],
  dayMs: number,
  history: { windowStart: number; close: number; ema20?: number; ema50?: number }[] = [],
): RecomputedCandle[] {
  const state = createDayRecompute({ symbol: "RECO", dayStartMs: dayMs, indicatorHistory: history });
  const out = trades.flatMap((t) => addArchivedTrade(state, t));
  out.push(...finishDayRecompute(state));
  return out;
}

describe("recompute of a day from its archive", () => {
  it("gives exactly the candles and indicators the stream stores for the same trades", () => {
    const trades = archiveDay(7, 5_000);
    const stream = streamFold([trades]);
    const recomputed = recomputeDay(trades, DAY_MS);
    expect(recomputed).toHaveLength(stream.size);
    for (const r of recomputed) expect(r).toEqual(stream.get(`${r.candle.interval}|${r.candle.windowStart}`));
    expect(recomputed.filter((r) => r.indicators?.ema50 !== undefined).length).toBeGreaterThan(0);
  });

  it("continues the indicators from the previous day's stored 1m candles like an uninterrupted stream", () => {
    const day1 = archiveDay(1, 2_000);
    const day2 = archiveDay(2, 2_000, DAY_MS + 86_400_000);
    const stream = streamFold([day1, day2]);
    const stored1m = [...stream.values()].filter((c) => c.candle.interval === "1m" && c.candle.windowStart < DAY_MS + 86_400_000);
    const history = stored1m
      .slice(-50)
      .map((c) => ({ windowStart: c.candle.windowStart, close: c.candle.close, ema20: c.indicators?.ema20, ema50: c.indicators?.ema50 }));
    const recomputed = recomputeDay(day2, DAY_MS + 86_400_000, history);
    for (const r of recomputed) expect(r).toEqual(stream.get(`${r.candle.interval}|${r.candle.windowStart}`));
  });

  it("leaves suspicious trades out and counts trades and candles", () => {
    const trades = archiveDay(3, 300);
    const state = createDayRecompute({ symbol: "RECO", dayStartMs: DAY_MS });
    const candles = [...trades.flatMap((t) => addArchivedTrade(state, t)), ...finishDayRecompute(state)];
    expect(state.trades).toBe(300);
    expect(state.candles).toBe(candles.length);
    const dayVolume = candles.filter((c) => c.candle.interval === "1h").reduce((v, c) => v + c.candle.volume, 0);
    expect(dayVolume).toBe(trades.filter((t) => t.suspicious !== true).reduce((v, t) => v + t.size, 0));
  });

  it("refuses trades out of event-time order, of another day or of another symbol", () => {
    const state = createDayRecompute({ symbol: "RECO", dayStartMs: DAY_MS });
    addArchivedTrade(state, { symbol: "RECO", ts: DAY_MS + 10_000, price: 1, size: 1, tradeId: "b" });
    expect(() => addArchivedTrade(state, { symbol: "RECO", ts: DAY_MS + 9_999, price: 1, size: 1, tradeId: "a" })).toThrow(
      /out of event-time order/,
    );
    expect(() => addArchivedTrade(state, { symbol: "RECO", ts: DAY_MS + 86_400_000, price: 1, size: 1, tradeId: "c" })).toThrow(
      /not on the recomputed day/,
    );
    expect(() => addArchivedTrade(state, { symbol: "OTHER", ts: DAY_MS + 20_000, price: 1, size: 1, tradeId: "d" })).toThrow(/OTHER/);
    expect(() => createDayRecompute({ symbol: "RECO", dayStartMs: DAY_MS, intervals: ["1d"] })).toThrow(/intraday/);
  });

  it("gives nothing for an empty day", () => {
    expect(finishDayRecompute(createDayRecompute({ symbol: "RECO", dayStartMs: DAY_MS }))).toEqual([]);
  });
});

describe("daysBetween", () => {
  it("lists the UTC days of a range, both ends included, across month and leap-day boundaries", () => {
    expect(daysBetween("2024-02-28", "2024-03-01")).toEqual(["2024-02-28", "2024-02-29", "2024-03-01"]);
    expect(daysBetween("2024-03-11", "2024-03-11")).toEqual(["2024-03-11"]);
    expect(daysBetween("2024-03-12", "2024-03-11")).toEqual([]);
    expect(() => daysBetween("x", "2024-03-11")).toThrow(RangeError);
  });
});
