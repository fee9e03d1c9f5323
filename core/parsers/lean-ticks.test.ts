import { describe, expect, it } from "vitest";
import {
  nyLocalToUtcMs,
  nyUtcOffsetMinutes,
  parseDecimal,
  parseLeanQuoteLine,
  parseLeanQuotes,
  parseLeanTradeLine,
  parseLeanTrades,
  rowId,
  splitLines,
  type ParseResult,
} from "./lean-ticks";

const IBM = { symbol: "IBM", date: "2013-10-07" };
const H = 3_600_000;

function ok<T>(r: ParseResult<T> | undefined): T {
  if (!r) throw new Error("no result");
  if (!r.ok) throw new Error(`line ${r.line}: ${r.reason}`);
  return r.value;
}
function reason<T>(r: ParseResult<T>): string {
  if (r.ok) throw new Error("expected a parse error");
  return r.reason;
}

/** Wall-clock reading of an instant in New York, by the platform's tz database (test oracle only). */
const nyFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
function nyWall(utcMs: number): string {
  const parts = nyFormat.formatToParts(new Date(utcMs));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

describe("New York clock", () => {
  it("is UTC-4 on 2013-10-07 (EDT) and UTC-5 on a winter date (EST)", () => {
    expect(nyLocalToUtcMs("2013-10-07", 14_430_270)).toBe(Date.UTC(2013, 9, 7, 8, 0, 30, 270));
    expect(nyLocalToUtcMs("2014-01-15", 9.5 * H)).toBe(Date.UTC(2014, 0, 15, 14, 30));
    expect(nyLocalToUtcMs("2012-06-21", 34_200_000)).toBe(Date.UTC(2012, 5, 21, 13, 30));
  });

  it("switches at 02:00 local on the second Sunday of March and the first Sunday of November", () => {
    expect(nyLocalToUtcMs("2013-03-10", 2 * H - 1)).toBe(Date.UTC(2013, 2, 10, 7) - 1); // 01:59:59.999 EST
    expect(nyLocalToUtcMs("2013-03-10", 3 * H)).toBe(Date.UTC(2013, 2, 10, 7)); // 03:00 EDT
    expect(nyLocalToUtcMs("2013-11-03", 0.5 * H)).toBe(Date.UTC(2013, 10, 3, 4, 30)); // 00:30 EDT
    expect(nyLocalToUtcMs("2013-11-03", 1.5 * H)).toBe(Date.UTC(2013, 10, 3, 5, 30)); // ambiguous: first (EDT)
    expect(nyLocalToUtcMs("2013-11-03", 2 * H)).toBe(Date.UTC(2013, 10, 3, 7)); // 02:00 EST
    expect(nyLocalToUtcMs("2013-03-09", 12 * H)).toBe(Date.UTC(2013, 2, 9, 17));
    expect(nyLocalToUtcMs("2013-11-04", 12 * H)).toBe(Date.UTC(2013, 10, 4, 17));
  });

  it("uses the 1987-2006 rule before 2007 (first Sunday of April to last Sunday of October)", () => {
    expect(nyUtcOffsetMinutes(Date.UTC(2006, 3, 2, 1, 59))).toBe(-300);
    expect(nyUtcOffsetMinutes(Date.UTC(2006, 3, 2, 3))).toBe(-240);
    expect(nyUtcOffsetMinutes(Date.UTC(2006, 9, 29, 1, 59))).toBe(-240);
    expect(nyUtcOffsetMinutes(Date.UTC(2006, 9, 29, 2))).toBe(-300);
    expect(nyUtcOffsetMinutes(Date.UTC(2006, 2, 15, 12))).toBe(-300);
  });

  it("agrees with the tz database at the open, the close and 03:00 of every day 1990-2035", () => {
    const mismatches: string[] = [];
    for (let day = Date.UTC(1990, 0, 1); day < Date.UTC(2036, 0, 1); day += 24 * H) {
      const date = new Date(day).toISOString().slice(0, 10);
      for (const [ms, hhmm] of [
        [3 * H, "03:00"],
        [9.5 * H, "09:30"],
        [16 * H, "16:00"],
      ] as const) {
        const utc = nyLocalToUtcMs(date, ms);
        if (utc === undefined || nyWall(utc) !== `${date} ${hhmm}`) mismatches.push(`${date} ${hhmm}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("refuses dates that do not exist", () => {
    expect(nyLocalToUtcMs("2013-02-30", 0)).toBeUndefined();
    expect(nyLocalToUtcMs("20131007", 0)).toBeUndefined();
  });
});

describe("line splitting and numbers", () => {
  it("accepts \\r\\n, a missing final newline and blank lines, keeping physical line numbers", () => {
    expect([...splitLines("a\r\nb\n\nc")]).toEqual([
      [1, "a"],
      [2, "b"],
      [4, "c"],
    ]);
    expect([...splitLines("a\nb\n")]).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect([...splitLines("")]).toEqual([]);
  });

  it("parses decimals strictly", () => {
    expect(parseDecimal("1815200")).toBe(1_815_200);
    expect(parseDecimal("23651900.0")).toBe(23_651_900);
    expect(parseDecimal("-1")).toBe(-1);
    expect(parseDecimal("")).toBeUndefined();
    expect(parseDecimal("12a")).toBeUndefined();
    expect(parseDecimal("NaN")).toBeUndefined();
    expect(parseDecimal(undefined)).toBeUndefined();
  });

  it("makes row ids whose string order is file order", () => {
    expect(rowId("2013-10-07", 9) < rowId("2013-10-07", 10)).toBe(true);
    expect(rowId("2013-10-07", 24_293)).toBe("2013-10-07-0024293");
  });
});

describe("LEAN trade ticks", () => {
  it("parses real rows (price / 10,000, New York time, exchange as venue)", () => {
    const t = ok(parseLeanTradeLine("14430270,1815200,283,P,20002020,0", 1, IBM));
    expect(t).toEqual({
      symbol: "IBM",
      ts: Date.UTC(2013, 9, 7, 8, 0, 30, 270),
      price: 181.52,
      size: 283,
      tradeId: "2013-10-07-0000001",
      venue: "P",
      suspicious: false,
    });
    const d = ok(parseLeanTradeLine("63839909,1820100,1565,D,102000,0", 24_291, IBM));
    expect(d).toMatchObject({ price: 182.01, size: 1565, venue: "D", tradeId: "2013-10-07-0024291" });
    expect(ok(parseLeanTradeLine("14450472,1818000,500,P,2000,1", 2, IBM)).suspicious).toBe(true);
  });

  it("parses a whole file with \\r\\n and no final newline, and gives the same ids on replay", () => {
    const text = "14430270,1815200,283,P,20002020,0\r\n14450472,1818000,500,P,2000,0\r\n69967550,1819900,200,P,20002020,0";
    const first = [...parseLeanTrades(text, IBM)].map(ok);
    const again = [...parseLeanTrades(text, IBM)].map(ok);
    expect(first.map((t) => t.tradeId)).toEqual(["2013-10-07-0000001", "2013-10-07-0000002", "2013-10-07-0000003"]);
    expect(again).toEqual(first);
    expect(first[2]?.ts).toBe(Date.UTC(2013, 9, 7, 23, 26, 7, 550));
  });

  it("reports a bad row with its reason and keeps the rest of the file", () => {
    const text = [
      "14430270,1815200,283,P,20002020,0",
      "14450472,abc,500,P,2000,0",
      "14450826,1818000,500,P,2000",
      "14450826,1818000,500,P,2000,0",
    ].join("\n");
    const results = [...parseLeanTrades(text, IBM)];
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(results[1]).toMatchObject({ ok: false, line: 2, raw: "14450472,abc,500,P,2000,0" });
    expect(reason(results[1] as ParseResult<unknown>)).toMatch(/price/);
    expect(reason(results[2] as ParseResult<unknown>)).toMatch(/6 fields/);
  });

  it("refuses zero prices, zero sizes, bad times, bad flags and bad dates", () => {
    expect(reason(parseLeanTradeLine("14430270,0,283,P,1,0", 1, IBM))).toMatch(/price/);
    expect(reason(parseLeanTradeLine("14430270,1815200,0,P,1,0", 1, IBM))).toMatch(/size/);
    expect(reason(parseLeanTradeLine("86400000,1815200,1,P,1,0", 1, IBM))).toMatch(/time_ms/);
    expect(reason(parseLeanTradeLine("1.5,1815200,1,P,1,0", 1, IBM))).toMatch(/time_ms/);
    expect(reason(parseLeanTradeLine("14430270,1815200,1,P,1,2", 1, IBM))).toMatch(/suspicious/);
    expect(reason(parseLeanTradeLine("14430270,1815200,1,P,1,0", 1, { symbol: "IBM", date: "2013-13-01" }))).toMatch(/date/);
    expect(reason(parseLeanTradeLine("14430270,1815200,1,P,1,0", 1, { symbol: "ibm", date: "2013-10-07" }))).toMatch(/symbol/);
  });
});

describe("LEAN quote ticks", () => {
  it("turns one-sided rows into one-sided quotes (the 0,0 side is absent)", () => {
    const askOnly = ok(parseLeanQuoteLine("14400054,0,0,1836300,100,Q,1,0", 1, IBM));
    expect(askOnly).toEqual({
      symbol: "IBM",
      ts: Date.UTC(2013, 9, 7, 8, 0, 0, 54),
      ask: 183.63,
      askSize: 100,
      venue: "Q",
      suspicious: false,
    });
    const bidOnly = ok(parseLeanQuoteLine("14400241,1800100,300,0,0,P,1,0", 2, IBM));
    expect(bidOnly).toEqual({
      symbol: "IBM",
      ts: Date.UTC(2013, 9, 7, 8, 0, 0, 241),
      bid: 180.01,
      bidSize: 300,
      venue: "P",
      suspicious: false,
    });
  });

  it("keeps a two-sided row two-sided and reads the suspicious flag", () => {
    expect(ok(parseLeanQuoteLine("44612364,1823300,100,1823400,200,K,1,0", 1, IBM))).toMatchObject({ bid: 182.33, ask: 182.34 });
    expect(ok(parseLeanQuoteLine("72000122,0,0,1860000,100,P,1,1", 1, IBM)).suspicious).toBe(true);
  });

  it("parses a real stretch of the file and refuses empty or malformed rows", () => {
    const text = [
      "44612364,1823300,100,0,0,K,1,0",
      "44612364,0,0,1823400,200,K,1,0",
      "44612365,1823300,300,0,0,N,1,0",
      "44612365,0,0,0,0,N,1,0",
      "44612394,1823200,400,0,0,N,1",
      "44612394,1823200,400,0,0,N,1,0",
    ].join("\n");
    const results = [...parseLeanQuotes(text, IBM)];
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false, true]);
    expect(reason(results[3] as ParseResult<unknown>)).toMatch(/neither bid nor ask/);
    expect(reason(results[4] as ParseResult<unknown>)).toMatch(/8 fields/);
    expect(reason(parseLeanQuoteLine("44612364,1823300,0,0,0,K,1,0", 1, IBM))).toMatch(/bidSize/);
  });
});
