import { describe, expect, it } from "vitest";
import { changeClass, formatChange, formatDayUtc, formatPercent, formatPrice, formatSpread, formatTimeUtc, formatVolume } from "./format";

describe("dashboard formatting", () => {
  it("formats prices with thousands separators and more digits below 1", () => {
    expect(formatPrice(1234.5)).toBe("1,234.50");
    expect(formatPrice(0.12345)).toBe("0.1235");
    expect(formatPrice(null)).toBe("—");
    expect(formatPrice(Number.NaN)).toBe("—");
  });

  it("signs changes with a real minus and never shows -0.00", () => {
    expect(formatChange(1.254)).toBe("+1.25");
    expect(formatChange(-0.4)).toBe("−0.40");
    expect(formatChange(-0.001)).toBe("0.00");
    expect(formatPercent(2.3456)).toBe("+2.35%");
    expect(formatPercent(undefined)).toBe("—");
  });

  it("compacts volumes", () => {
    expect(formatVolume(950)).toBe("950");
    expect(formatVolume(9_999)).toBe("9,999");
    expect(formatVolume(12_345)).toBe("12.3K");
    expect(formatVolume(4_560_000)).toBe("4.56M");
    expect(formatVolume(1.2e9)).toBe("1.20B");
  });

  it("shows a spread with its basis points of the mid", () => {
    expect(formatSpread(0.02, 125)).toBe("0.02 (1.6 bp)");
    expect(formatSpread(0.25)).toBe("0.25");
    expect(formatSpread(null)).toBe("—");
  });

  it("prints UTC times and days whatever the machine's zone", () => {
    const ts = Date.UTC(2013, 9, 7, 13, 30, 5);
    expect(formatTimeUtc(ts)).toBe("13:30:05");
    expect(formatDayUtc(ts)).toBe("2013-10-07");
  });

  it("colours up, down and flat", () => {
    expect(changeClass(1)).toBe("text-success");
    expect(changeClass(-1)).toBe("text-danger");
    expect(changeClass(0)).toBe("text-body-secondary");
    expect(changeClass(null)).toBe("text-body-secondary");
  });
});
