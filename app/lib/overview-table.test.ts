import { describe, expect, it } from "vitest";
import {
  applyPrice,
  applySparklineCandle,
  applySpread,
  filterRows,
  sortRows,
  sparklinePoints,
  toRowView,
  type OverviewRowView,
} from "./overview-table";

const row = (symbol: string, last: number | null, changePct: number | null, volume: number | null): OverviewRowView =>
  toRowView({
    symbol,
    simulated: false,
    ts: 120_000,
    last,
    change: null,
    changePct,
    volume,
    bid: null,
    ask: null,
    spread: null,
    sparkline: [1, 2],
  });

const candle = (windowStart: number, close: number, interval: "1m" | "1s" = "1m") => ({
  type: "candle" as const,
  symbol: "IBM",
  interval,
  windowStart,
  open: 1,
  high: 1,
  low: 1,
  close,
  volume: 1,
  vwap: 1,
  tradeCount: 1,
  isFinal: false,
});

describe("overview rows", () => {
  const rows = [row("IBM", 180, 1.2, 500), row("AAPL", 450, -2.5, 900), row("MSFT", null, null, null), row("AIBM", 10, 0, 10)];

  it("searches by prefix first, then by substring, case-insensitively", () => {
    expect(filterRows(rows, "ibm").map((r) => r.symbol)).toEqual(["IBM", "AIBM"]);
    expect(filterRows(rows, " ").map((r) => r.symbol)).toHaveLength(4);
  });

  it("sorts either way with unknown values last", () => {
    expect(sortRows(rows, "changePct", "desc").map((r) => r.symbol)).toEqual(["IBM", "AIBM", "AAPL", "MSFT"]);
    expect(sortRows(rows, "changePct", "asc").map((r) => r.symbol)).toEqual(["AAPL", "AIBM", "IBM", "MSFT"]);
    expect(sortRows(rows, "symbol", "asc").map((r) => r.symbol)).toEqual(["AAPL", "AIBM", "IBM", "MSFT"]);
  });

  it("applies price and spread updates, ignoring a price older than the row", () => {
    const updated = applyPrice(rows[0] as OverviewRowView, {
      type: "price",
      symbol: "IBM",
      ts: 130_000,
      last: 181,
      changePct: 1.8,
      bid: 180.9,
      ask: 181.1,
    });
    expect(updated).toMatchObject({ last: 181, changePct: 1.8, volume: 500 });
    expect(updated.spread).toBeCloseTo(0.2, 9);
    expect(applyPrice(updated, { type: "price", symbol: "IBM", ts: 1, last: 1 })).toBe(updated);
    expect(applySpread(updated, { type: "spread", symbol: "IBM", ts: 2, bid: 1, ask: 1.5, mid: 1.25, quotedSpread: 0.5 }).spread).toBe(0.5);
  });

  it("patches the sparkline's current minute and appends the next, keeping its length bounded", () => {
    const base = rows[0] as OverviewRowView;
    expect(base.sparklineLastStart).toBe(120_000);
    const patched = applySparklineCandle(base, candle(120_000, 5), 2);
    expect(patched.sparkline).toEqual([1, 5]);
    const appended = applySparklineCandle(patched, candle(180_000, 6), 2);
    expect(appended.sparkline).toEqual([5, 6]);
    expect(applySparklineCandle(appended, candle(60_000, 9), 2)).toBe(appended);
    expect(applySparklineCandle(appended, candle(240_000, 9, "1s"), 2)).toBe(appended);
  });

  it("scales a sparkline into its box", () => {
    expect(sparklinePoints([1, 3, 2], 10, 10, 0)).toBe("0.0,10.0 5.0,0.0 10.0,5.0");
    expect(sparklinePoints([], 10, 10)).toBe("");
    expect(sparklinePoints([4, 4], 10, 10, 0)).toBe("0.0,5.0 10.0,5.0");
  });
});
