import { describe, expect, it } from "vitest";
import {
  INTERVAL_MS,
  INTERVALS,
  STREAM_INTERVALS,
  candleBucket,
  candleBucketsBetween,
  dayKey,
  intervalSchema,
  isInterval,
  monthKey,
  windowEnd,
  windowStart,
  yearKey,
} from "./intervals";

describe("intervals", () => {
  it("streams 1s, 1m, 5m and 1h, and adds 1d only for batch rollups", () => {
    expect(STREAM_INTERVALS).toEqual(["1s", "1m", "5m", "1h"]);
    expect(INTERVALS).toEqual(["1s", "1m", "5m", "1h", "1d"]);
    expect(INTERVAL_MS).toEqual({ "1s": 1_000, "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000 });
  });

  it("recognizes interval names and refuses others", () => {
    expect(isInterval("5m")).toBe(true);
    expect(isInterval("2m")).toBe(false);
    expect(isInterval("toString")).toBe(false);
    expect(intervalSchema.safeParse("1h").success).toBe(true);
    expect(intervalSchema.safeParse("1w").success).toBe(false);
  });
});

describe("windowStart / windowEnd", () => {
  it("puts a tick exactly on a boundary in the window that starts there", () => {
    expect(windowStart(60_000, "1m")).toBe(60_000);
    expect(windowEnd(60_000, "1m")).toBe(120_000);
  });

  it("puts the last millisecond before a boundary in the previous window, whose end is exclusive", () => {
    expect(windowStart(59_999, "1m")).toBe(0);
    expect(windowEnd(59_999, "1m")).toBe(60_000);
  });

  it("starts the first window at the epoch", () => {
    expect(windowStart(0, "1h")).toBe(0);
    expect(windowEnd(0, "1s")).toBe(1_000);
  });

  it("aligns 5m windows to the clock, not to the first tick", () => {
    const ts = Date.UTC(2024, 2, 15, 12, 3, 27, 412);
    expect(windowStart(ts, "5m")).toBe(Date.UTC(2024, 2, 15, 12, 0));
    expect(windowEnd(ts, "5m")).toBe(Date.UTC(2024, 2, 15, 12, 5));
  });

  it("starts 1d windows at UTC midnight", () => {
    expect(windowStart(Date.UTC(2024, 1, 29, 23, 59, 59, 999), "1d")).toBe(Date.UTC(2024, 1, 29));
    expect(windowEnd(Date.UTC(2024, 1, 29, 23, 59, 59, 999), "1d")).toBe(Date.UTC(2024, 2, 1));
  });

  it("floors negative times toward minus infinity", () => {
    expect(windowStart(-1, "1s")).toBe(-1_000);
    expect(windowStart(-1_000, "1s")).toBe(-1_000);
  });
});

describe("calendar keys", () => {
  it("uses the UTC calendar, whatever the process time zone", () => {
    const lastMsOf2023 = Date.UTC(2024, 0, 1) - 1;
    expect(dayKey(lastMsOf2023)).toBe("2023-12-31");
    expect(monthKey(lastMsOf2023)).toBe("2023-12");
    expect(yearKey(lastMsOf2023)).toBe("2023");
    expect(dayKey(Date.UTC(2024, 0, 1))).toBe("2024-01-01");
  });
});

describe("candleBucket", () => {
  const ts = Date.UTC(2024, 0, 31, 23, 59, 59, 999);

  it("partitions intraday candles by day", () => {
    expect(candleBucket("1s", windowStart(ts, "1s"))).toBe("2024-01-31");
    expect(candleBucket("1m", windowStart(ts, "1m"))).toBe("2024-01-31");
    expect(candleBucket("5m", windowStart(ts, "5m"))).toBe("2024-01-31");
  });

  it("partitions hourly candles by month and daily candles by year", () => {
    expect(candleBucket("1h", windowStart(ts, "1h"))).toBe("2024-01");
    expect(candleBucket("1h", Date.UTC(2024, 1, 1))).toBe("2024-02");
    expect(candleBucket("1d", Date.UTC(2024, 11, 31))).toBe("2024");
    expect(candleBucket("1d", Date.UTC(2025, 0, 1))).toBe("2025");
  });

  it("buckets by the window's start, so any ms inside the window maps to the same bucket", () => {
    expect(candleBucket("1h", ts)).toBe(candleBucket("1h", windowStart(ts, "1h")));
  });
});

describe("candleBucketsBetween", () => {
  it("lists every day a 1m range crosses, leap day included", () => {
    expect(candleBucketsBetween("1m", Date.UTC(2024, 1, 28, 23, 0), Date.UTC(2024, 2, 1, 0, 0))).toEqual([
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
    ]);
  });

  it("lists months for 1h and years for 1d", () => {
    expect(candleBucketsBetween("1h", Date.UTC(2023, 11, 31, 23), Date.UTC(2024, 1, 1))).toEqual(["2023-12", "2024-01", "2024-02"]);
    expect(candleBucketsBetween("1d", Date.UTC(2023, 5, 1), Date.UTC(2025, 0, 1))).toEqual(["2023", "2024", "2025"]);
  });

  it("gives one bucket for a one-instant range and none for a reversed range", () => {
    expect(candleBucketsBetween("5m", 0, 0)).toEqual(["1970-01-01"]);
    expect(candleBucketsBetween("5m", 1, 0)).toEqual([]);
  });

  it("does not add the next bucket for a range ending just before it", () => {
    expect(candleBucketsBetween("1s", Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2) - 1)).toEqual(["2024-01-01"]);
  });
});
