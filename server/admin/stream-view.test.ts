import { describe, expect, it } from "vitest";
import { offsetSample, parseDlqMessage, partitionLags, tickRates, DLQ_RAW_PREVIEW_CHARS } from "./stream-view";

describe("stream view", () => {
  it("computes lag from the committed offset, or from the oldest kept message when the group committed none", () => {
    const lags = partitionLags(
      "market.trades",
      [
        { partition: 1, low: "0", high: "50" },
        { partition: 0, low: "10", high: "100" },
      ],
      new Map([
        [0, "90"],
        [1, "-1"],
      ]),
    );
    expect(lags).toEqual([
      { topic: "market.trades", partition: 0, highOffset: 100, committedOffset: 90, lag: 10 },
      { topic: "market.trades", partition: 1, highOffset: 50, committedOffset: null, lag: 50 },
    ]);
  });

  it("never reports negative lag (a commit read after the high watermark)", () => {
    expect(partitionLags("t", [{ partition: 0, low: "0", high: "5" }], new Map([[0, "7"]]))[0]?.lag).toBe(0);
  });

  it("turns two offset samples into ticks per second in and out", () => {
    const lags = (high: number, committed: number) =>
      partitionLags("t", [{ partition: 0, low: "0", high: String(high) }], new Map([[0, String(committed)]]));
    const a = offsetSample(10_000, lags(1_000, 900));
    const b = offsetSample(12_000, lags(1_300, 1_250));
    expect(tickRates(a, b)).toEqual({ inPerSec: 150, outPerSec: 175, overMs: 2_000 });
    expect(tickRates(b, a)).toBeNull();
    // A recreated topic goes back to 0: no negative rate.
    expect(tickRates(b, offsetSample(13_000, lags(10, 10)))).toMatchObject({ inPerSec: 0, outPerSec: 0 });
  });

  it("parses a DLQ record written by the stream worker", () => {
    const value = Buffer.from(
      JSON.stringify({ topic: "market.trades", partition: 2, offset: "17", raw: "{bad", reason: "not JSON", at: 1_764_000_000_000 }),
    );
    expect(parseDlqMessage({ partition: 0, offset: "5", timestamp: "1764000000100", key: Buffer.from("IBM"), value })).toEqual({
      partition: 0,
      offset: "5",
      atMs: 1_764_000_000_000,
      source: { topic: "market.trades", partition: 2, offset: "17" },
      reason: "not JSON",
      raw: "{bad",
      key: "IBM",
    });
  });

  it("shows a value that is not a DLQ record instead of failing, and cuts long raw text", () => {
    const notJson = parseDlqMessage({ partition: 0, offset: "6", timestamp: "1764000000200", key: null, value: Buffer.from("garbage") });
    expect(notJson).toMatchObject({
      source: null,
      reason: "not a DLQ record (value is not JSON)",
      raw: "garbage",
      atMs: 1_764_000_000_200,
      key: null,
    });
    const wrongShape = parseDlqMessage({ partition: 0, offset: "7", timestamp: "1", key: null, value: Buffer.from("{}") });
    expect(wrongShape.reason).toBe("not a DLQ record (unexpected shape)");
    const long = parseDlqMessage({
      partition: 0,
      offset: "8",
      timestamp: "1",
      key: null,
      value: Buffer.from(JSON.stringify({ topic: "t", partition: 0, offset: "1", raw: "x".repeat(10_000), reason: "too big", at: 1 })),
    });
    expect(long.raw).toHaveLength(DLQ_RAW_PREVIEW_CHARS + 1);
  });
});
