import { describe, expect, it } from "vitest";
import { barProblem, parseLeanBarLine, parseLeanBars, parseYahooDaily, type Bar } from "./bars";
import type { ParseResult } from "./lean-ticks";

function ok<T>(r: ParseResult<T> | undefined): T {
  if (!r) throw new Error("no result");
  if (!r.ok) throw new Error(`line ${r.line}: ${r.reason}`);
  return r.value;
}

describe("LEAN trade bars", () => {
  it("parses equity minute bars: prices / 10,000, bar start in New York time", () => {
    const text =
      "14400000,1815200,1818000,1815200,1818000,1283\n14460000,1818000,1818000,1818000,1818000,348\n14880000,1819000,1819000,1819000,1819000,418";
    const bars = [...parseLeanBars(text, { symbol: "IBM", date: "2013-10-07" })].map(ok);
    expect(bars[0]).toEqual({
      symbol: "IBM",
      ts: Date.UTC(2013, 9, 7, 8, 0),
      open: 181.52,
      high: 181.8,
      low: 181.52,
      close: 181.8,
      volume: 1283,
    });
    expect(bars.map((b) => b.ts - Date.UTC(2013, 9, 7, 8))).toEqual([0, 60_000, 480_000]);
  });

  it("parses crypto minute bars: plain decimal prices, UTC, fractional volume", () => {
    const text = "0,7424.91,7424.91,7422,7422,7.14319709\r\n60420000,6894.01,6894.01,6894.01,6894.01,0.0373333";
    const bars = [...parseLeanBars(text, { symbol: "BTCUSD", date: "2018-04-04", priceScale: 1, timeZone: "UTC" })].map(ok);
    expect(bars[0]).toEqual({
      symbol: "BTCUSD",
      ts: Date.UTC(2018, 3, 4),
      open: 7424.91,
      high: 7424.91,
      low: 7422,
      close: 7422,
      volume: 7.14319709,
    });
    expect(bars[1]?.ts).toBe(Date.UTC(2018, 3, 4, 16, 47));
  });

  it("refuses rows whose high and low do not bound open and close, or that are malformed", () => {
    const info = { symbol: "IBM", date: "2013-10-07" };
    const failure = (line: string, lineNumber = 1): string => {
      const r = parseLeanBarLine(line, lineNumber, info);
      if (r.ok) throw new Error("expected a parse error");
      expect(r.line).toBe(lineNumber);
      return r.reason;
    };
    expect(failure("14400000,1815200,1810000,1815200,1818000,1283", 7)).toMatch(/bound/);
    expect(failure("14400000,1815200,1818000,1815200")).toMatch(/6 fields/);
    expect(failure("x,1815200,1818000,1815200,1818000,1")).toMatch(/time_ms/);
    expect(failure("0,1,1,1,1,-1")).toMatch(/volume/);
  });

  it("checks OHLC consistency", () => {
    const base: Omit<Bar, "symbol" | "ts"> = { open: 10, high: 11, low: 9, close: 10.5, volume: 0 };
    expect(barProblem(base)).toBeUndefined();
    expect(barProblem({ ...base, low: 10.6 })).toMatch(/bound/);
    expect(barProblem({ ...base, open: 0 })).toMatch(/positive/);
  });
});

describe("Yahoo daily bars", () => {
  const HEADER = "Date,High,Low,Open,Close,Volume,Adj Close,Name";
  const AAPL = [
    HEADER,
    "2015-01-12,112.62999725341797,108.80000305175781,112.5999984741211,109.25,49650800.0,100.38079071044922,AAPL",
    "2015-01-13,112.80000305175781,108.91000366210938,111.43000030517578,110.22000122070312,67091900.0,101.27204895019531,AAPL",
  ].join("\n");

  it("maps High,Low,Open,Close by header name, rounds float32 noise and stamps 00:00 UTC of the date", () => {
    const bars = [...parseYahooDaily(`${AAPL}\n`)].map(ok);
    expect(bars).toHaveLength(2);
    expect(bars[0]).toEqual({
      symbol: "AAPL",
      ts: Date.UTC(2015, 0, 12),
      open: 112.6,
      high: 112.63,
      low: 108.8,
      close: 109.25,
      volume: 49_650_800,
      adjClose: 100.3808,
    });
  });

  it("keeps the values as written when asked, and can override the symbol", () => {
    const [bar] = [...parseYahooDaily(AAPL, { priceDecimals: null, symbol: "AAPL.X" })].map(ok);
    expect(bar).toMatchObject({ symbol: "AAPL.X", high: 112.62999725341797 });
  });

  it("follows a header in another column order and assumes the documented order without a header", () => {
    const reordered = "Name,Date,Open,High,Low,Close,Adj Close,Volume\nGE,2020-01-10,11.84,11.91,11.59,11.67,11.67,57089222";
    expect(ok([...parseYahooDaily(reordered)][0])).toMatchObject({
      symbol: "GE",
      open: 11.84,
      high: 11.91,
      low: 11.59,
      close: 11.67,
      volume: 57_089_222,
    });
    const noHeader = "2020-01-10,11.90999984741211,11.59000015258789,11.84000015258789,11.670000076293945,57089222.0,11.670000076293945,GE";
    expect(ok([...parseYahooDaily(noHeader)][0])).toMatchObject({ symbol: "GE", open: 11.84, high: 11.91 });
  });

  it("reports an inconsistent real row (DIS 2020-01-10: open above high) and bad rows, keeping the rest", () => {
    const text = [
      HEADER,
      "2020-01-09,146.02999877929688,145.05999755859375,145.99000549316406,145.27000427246094,6185900.0,145.27000427246094,DIS",
      "2020-01-10,145.5,144.25999450683594,146.47000122070312,144.6199951171875,5027616.0,144.6199951171875,DIS",
      "2020-01-11,,1,1,1,1,1,DIS",
      "2020-02-30,1,1,1,1,1,1,DIS",
    ].join("\n");
    const results = [...parseYahooDaily(text)];
    expect(results.map((r) => r.ok)).toEqual([true, false, false, false]);
    expect(results.map((r) => (r.ok ? "" : r.reason))).toEqual([
      "",
      expect.stringMatching(/bound/),
      "bad number",
      expect.stringMatching(/Date/),
    ]);
    expect(results[1]?.line).toBe(3);
  });

  it("refuses a header that lacks a price column", () => {
    const results = [...parseYahooDaily("Date,High,Low,Close,Volume,Adj Close,Name\n2020-01-10,1,1,1,1,1,GE")];
    expect(results).toEqual([expect.objectContaining({ ok: false, reason: "header lacks Open" })]);
  });
});
