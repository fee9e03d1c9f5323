import { describe, expect, it } from "vitest";
import { dataQualityPayloadSchema, rollupPayloadSchema } from "./batch-jobs";

describe("batch job payloads", () => {
  it("accept a calendar day or 'previous' and default the rollup source to 1h", () => {
    expect(rollupPayloadSchema.parse({ day: "2024-02-29" })).toEqual({ day: "2024-02-29", source: "1h" });
    expect(rollupPayloadSchema.parse({ day: "previous", symbol: "IBM", source: "1m" })).toEqual({
      day: "previous",
      symbol: "IBM",
      source: "1m",
    });
    expect(dataQualityPayloadSchema.parse({ day: "previous", symbols: ["IBM", "BTC-USD"] }).symbols).toEqual(["IBM", "BTC-USD"]);
  });

  it("refuse impossible days, unknown fields, bad symbols and empty symbol lists", () => {
    expect(rollupPayloadSchema.safeParse({ day: "2023-02-29" }).success).toBe(false);
    expect(rollupPayloadSchema.safeParse({ day: "yesterday" }).success).toBe(false);
    expect(rollupPayloadSchema.safeParse({ day: "2024-01-01", extra: 1 }).success).toBe(false);
    expect(rollupPayloadSchema.safeParse({ day: "2024-01-01", symbol: "ibm" }).success).toBe(false);
    expect(dataQualityPayloadSchema.safeParse({ day: "2024-01-01", symbols: [] }).success).toBe(false);
    expect(dataQualityPayloadSchema.safeParse({ day: "2024-01-01", gapThresholdMs: 0 }).success).toBe(false);
  });
});
