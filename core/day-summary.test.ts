import { describe, expect, it } from "vitest";
import { dayChange, summarizeBars, summarizeDay, type BarLike } from "./day-summary";
import { VENUES } from "./exchange-time";

const bar = (hhmmUtc: string, o: number, h: number, l: number, c: number, v: number, vwap: number | null = c): BarLike => ({
  windowStart: Date.parse(`2013-10-07T${hhmmUtc}:00Z`),
  open: o,
  high: h,
  low: l,
  close: c,
  volume: v,
  vwap,
});

describe("day summary", () => {
  // 08:00 UTC is 04:00 in New York (pre-market), 13:30 the open, 20:00 the close.
  const bars = [
    bar("13:31", 181, 182.5, 180.9, 182, 200, 181.8),
    bar("08:00", 179, 179.5, 178, 179.2, 50),
    bar("13:30", 180, 181.2, 179.9, 181, 100, 180.5),
    bar("20:05", 183, 190, 170, 185, 70),
  ];

  it("folds the regular session of a US equity and keeps the day's whole volume beside it", () => {
    const day = summarizeDay(VENUES["us-equity"], "2013-10-07", bars);
    expect(day?.basis).toBe("regular-session");
    expect(day?.summary).toMatchObject({ open: 180, high: 182.5, low: 179.9, close: 182, volume: 300, bars: 2 });
    expect(day?.summary.vwap).toBeCloseTo((180.5 * 100 + 181.8 * 200) / 300, 12);
    expect(day?.dayVolume).toBe(420);
  });

  it("takes the whole day of a 24 h venue, and of a day without a session trade", () => {
    expect(summarizeDay(VENUES.crypto, "2013-10-07", bars)).toMatchObject({
      basis: "trading-day",
      summary: { open: 179, close: 185, high: 190, low: 170, volume: 420 },
    });
    expect(summarizeDay(VENUES["us-equity"], "2013-10-07", [bars[1] as BarLike])).toMatchObject({
      basis: "trading-day",
      summary: { close: 179.2 },
    });
    expect(summarizeDay(VENUES["us-equity"], "2013-10-07", [])).toBeNull();
    expect(summarizeBars([bar("13:30", 1, 1, 1, 1, 0, null)])?.vwap).toBeNull();
  });

  it("measures the change against the previous close, or the open when there is none", () => {
    expect(dayChange(182, 180, 178)).toEqual({ change: 4, changePct: (4 / 178) * 100, basis: "prevClose" });
    expect(dayChange(182, 180, null)).toEqual({ change: 2, changePct: (2 / 180) * 100, basis: "dayOpen" });
  });
});
