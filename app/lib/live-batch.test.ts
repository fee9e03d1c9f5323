import { describe, expect, it } from "vitest";
import { LiveBatch } from "./live-batch";

const candle = (windowStart: number, close: number) =>
  JSON.stringify({
    symbol: "IBM",
    interval: "1m",
    windowStart,
    open: 1,
    high: 2,
    low: 1,
    close,
    volume: 5,
    vwap: 1.5,
    tradeCount: 2,
    isFinal: false,
  });

describe("LiveBatch", () => {
  it("keeps the newest update per candle window, oldest window first", () => {
    const batch = new LiveBatch();
    batch.put("candle", candle(120_000, 1));
    batch.put("candle", candle(60_000, 1));
    batch.put("candle", candle(120_000, 2));
    const drained = batch.drain();
    expect(drained.candles.map((c) => [c.windowStart, c.close])).toEqual([
      [60_000, 1],
      [120_000, 2],
    ]);
    expect(drained.candles[0]?.type).toBe("candle");
    expect(batch.isEmpty).toBe(true);
  });

  it("conflates prices and spreads per symbol but keeps every alert", () => {
    const batch = new LiveBatch();
    batch.put("price", JSON.stringify({ symbol: "IBM", ts: 1, last: 10 }));
    batch.put("price", JSON.stringify({ symbol: "IBM", ts: 2, last: 11 }));
    batch.put("spread", JSON.stringify({ symbol: "IBM", ts: 2, bid: 1, ask: 2, mid: 1.5, quotedSpread: 1 }));
    batch.put("alert", JSON.stringify({ symbol: "IBM", ts: 2, kind: "jump", severity: "warning", message: "a" }));
    batch.put("alert", JSON.stringify({ symbol: "IBM", ts: 3, kind: "jump", severity: "warning", message: "b" }));
    const drained = batch.drain();
    expect(drained.prices.map((p) => p.last)).toEqual([11]);
    expect(drained.spreads).toHaveLength(1);
    expect(drained.alerts.map((a) => a.message)).toEqual(["a", "b"]);
  });

  it("drops malformed payloads", () => {
    const batch = new LiveBatch();
    expect(batch.put("price", "{not json")).toBe(false);
    expect(batch.put("price", JSON.stringify({ ts: 1 }))).toBe(false);
    expect(batch.isEmpty).toBe(true);
  });

  it("stays bounded: past its cap it drops pending state and asks for a snapshot", () => {
    const batch = new LiveBatch(2);
    batch.put("price", JSON.stringify({ symbol: "A", ts: 1, last: 1 }));
    batch.put("price", JSON.stringify({ symbol: "B", ts: 1, last: 1 }));
    batch.put("price", JSON.stringify({ symbol: "C", ts: 1, last: 1 }));
    const drained = batch.drain();
    expect(drained.snapshotRequired).toBe(true);
    expect(drained.prices.map((p) => p.symbol)).toEqual(["C"]);
  });
});
