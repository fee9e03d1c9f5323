import { describe, expect, it } from "vitest";
import { VENUES } from "../../core/exchange-time";
import { displayZone, displayZoneLabel, formatClock, formatDateTime, isTimeDisplay } from "./exchange-clock";

const NY = VENUES["us-equity"];
const OPEN = Date.UTC(2013, 9, 7, 13, 30, 5);

describe("exchange clock", () => {
  it("shows exchange time by default, or UTC, or the browser's zone", () => {
    expect(displayZone("exchange", NY)).toBe("America/New_York");
    expect(displayZone("utc", NY)).toBe("UTC");
    expect(displayZone("local", NY)).toBeUndefined();
    expect(displayZoneLabel("exchange", NY)).toBe("New York");
    expect(isTimeDisplay("utc")).toBe(true);
    expect(isTimeDisplay("tokyo")).toBe(false);
  });

  it("formats wall time in the zone, 24-hour", () => {
    expect(formatClock(OPEN, "America/New_York")).toBe("09:30:05");
    expect(formatClock(OPEN, "UTC", false)).toBe("13:30");
    expect(formatClock(null, "UTC")).toBe("—");
    expect(formatDateTime(OPEN, "America/New_York")).toBe("2013-10-07 09:30");
    expect(formatDateTime(Date.UTC(2013, 9, 8, 2), "America/New_York", true)).toBe("2013-10-07 22:00:00");
  });
});
