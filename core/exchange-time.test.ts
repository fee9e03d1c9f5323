import { describe, expect, it } from "vitest";
import {
  createVwapAnchor,
  exchangeDate,
  exchangeDayBounds,
  inRegularSession,
  localDate,
  outsideSessionRanges,
  regularSessionBounds,
  sessionPhase,
  utcOffsetMs,
  venueOf,
  VENUES,
  vwapAnchor,
  zonedTimeToUtcMs,
} from "./exchange-time";

const NY = VENUES["us-equity"];
const HOUR_MS = 3_600_000;

describe("venues", () => {
  it("puts US tickers in New York, crypto pairs and simulated names on a 24 h UTC clock", () => {
    for (const symbol of ["IBM", "SPY", "AAPL", "AMZN", "BRK.B"]) expect(venueOf(symbol).id).toBe("us-equity");
    for (const symbol of ["BTCUSD", "BTC-USD", "ETH-USDT"])
      expect(venueOf(symbol)).toMatchObject({ id: "crypto", timeZone: "UTC", regular: null });
    expect(venueOf("AAPL.SIM")).toMatchObject({ id: "simulator", timeZone: "UTC", regular: null });
    expect(NY).toMatchObject({ timeZone: "America/New_York", regular: { open: "09:30", close: "16:00" } });
  });
});

describe("time zone arithmetic", () => {
  it("knows New York's offset in summer and in winter", () => {
    expect(utcOffsetMs("America/New_York", Date.UTC(2013, 9, 7, 12))).toBe(-4 * HOUR_MS);
    expect(utcOffsetMs("America/New_York", Date.UTC(2014, 0, 7, 12))).toBe(-5 * HOUR_MS);
    expect(utcOffsetMs("UTC", Date.UTC(2014, 0, 7, 12))).toBe(0);
  });

  it("maps wall-clock times to instants on both sides of a DST change", () => {
    expect(zonedTimeToUtcMs("America/New_York", "2013-10-07", "09:30")).toBe(Date.UTC(2013, 9, 7, 13, 30));
    expect(zonedTimeToUtcMs("America/New_York", "2014-01-07", "09:30")).toBe(Date.UTC(2014, 0, 7, 14, 30));
    // 2013-11-03: clocks go back at 02:00; midnight is still EDT, noon EST.
    expect(zonedTimeToUtcMs("America/New_York", "2013-11-03", "00:00")).toBe(Date.UTC(2013, 10, 3, 4));
    expect(zonedTimeToUtcMs("America/New_York", "2013-11-03", "12:00")).toBe(Date.UTC(2013, 10, 3, 17));
  });

  it("dates an instant by the venue's calendar", () => {
    const lateEvening = Date.UTC(2013, 9, 8, 2); // 22:00 in New York on the 7th
    expect(localDate("America/New_York", lateEvening)).toBe("2013-10-07");
    expect(exchangeDate(NY, lateEvening)).toBe("2013-10-07");
    expect(exchangeDate(VENUES.crypto, lateEvening)).toBe("2013-10-08");
  });

  it("gives a trading day 23 or 25 hours across DST", () => {
    const fall = exchangeDayBounds(NY, "2013-11-03");
    expect(fall.endMs - fall.startMs).toBe(25 * HOUR_MS);
    const usual = exchangeDayBounds(NY, "2013-10-07");
    expect(usual).toEqual({ startMs: Date.UTC(2013, 9, 7, 4), endMs: Date.UTC(2013, 9, 8, 4) });
  });
});

describe("sessions", () => {
  const open = Date.UTC(2013, 9, 7, 13, 30);
  const close = Date.UTC(2013, 9, 7, 20);

  it("bounds the regular session, and the whole day of a 24 h venue", () => {
    expect(regularSessionBounds(NY, "2013-10-07")).toEqual({ openMs: open, closeMs: close });
    expect(regularSessionBounds(VENUES.crypto, "2018-04-04")).toEqual({ openMs: Date.UTC(2018, 3, 4), closeMs: Date.UTC(2018, 3, 5) });
  });

  it("tells pre-market, the session and post-market apart", () => {
    expect(sessionPhase(NY, open - 1)).toBe("pre");
    expect(sessionPhase(NY, open)).toBe("regular");
    expect(sessionPhase(NY, close - 1)).toBe("regular");
    expect(sessionPhase(NY, close)).toBe("post");
    expect(sessionPhase(VENUES.crypto, open - 1)).toBe("regular");
  });

  it("lists the stretches outside the session to shade, clipped to the range", () => {
    const { startMs, endMs } = exchangeDayBounds(NY, "2013-10-07");
    expect(outsideSessionRanges(NY, startMs, endMs)).toEqual([
      { fromMs: startMs, toMs: open },
      { fromMs: close, toMs: endMs },
    ]);
    expect(outsideSessionRanges(NY, open + HOUR_MS, close - HOUR_MS)).toEqual([]);
    expect(outsideSessionRanges(NY, close - HOUR_MS, open + 24 * HOUR_MS + HOUR_MS)).toEqual([
      { fromMs: close, toMs: open + 24 * HOUR_MS },
    ]);
    expect(outsideSessionRanges(VENUES.crypto, startMs, endMs)).toEqual([]);
  });

  it("anchors the session VWAP at the open and leaves out the extended hours; the extended VWAP takes the whole day", () => {
    expect(vwapAnchor(NY, "session", open + 60_000)).toBe(open);
    expect(vwapAnchor(NY, "session", open - 60_000)).toBeNull();
    expect(vwapAnchor(NY, "session", close)).toBeNull();
    expect(vwapAnchor(NY, "extended", open - 60_000)).toBe(Date.UTC(2013, 9, 7, 4));
    expect(vwapAnchor(VENUES.crypto, "session", open - 60_000)).toBe(Date.UTC(2013, 9, 7));
  });

  it("gives the same anchors from the remembering function, across days and DST", () => {
    for (const venue of [NY, VENUES.crypto]) {
      for (const mode of ["session", "extended"] as const) {
        const anchor = createVwapAnchor(venue, mode);
        for (let t = Date.UTC(2013, 10, 1); t < Date.UTC(2013, 10, 5); t += 7 * 60_000) expect(anchor(t)).toBe(vwapAnchor(venue, mode, t));
      }
    }
  });

  it("says whether a whole candle lies in the session", () => {
    expect(inRegularSession(NY, "2013-10-07", open, 60_000)).toBe(true);
    expect(inRegularSession(NY, "2013-10-07", close - 60_000, 60_000)).toBe(true);
    expect(inRegularSession(NY, "2013-10-07", open - 60_000, 60_000)).toBe(false);
    expect(inRegularSession(NY, "2013-10-07", Date.UTC(2013, 9, 7, 13), HOUR_MS)).toBe(false);
  });
});
