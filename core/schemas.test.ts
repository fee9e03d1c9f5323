import { describe, expect, it } from "vitest";
import { priceSchema, quoteSchema, tradeSchema } from "./schemas";

const trade = { symbol: "IBM", ts: 1_381_152_030_270, price: 181.52, size: 100, tradeId: "t1", venue: "N" };

describe("tradeSchema", () => {
  it("accepts a well-formed trade", () => {
    expect(tradeSchema.parse(trade)).toEqual(trade);
  });
  it.each([
    ["price", { price: -1 }],
    ["price", { price: Number.NaN }],
    ["size", { size: 0 }],
    ["symbol", { symbol: "ibm" }],
    ["ts", { ts: 1.5 }],
  ])("refuses a bad %s", (field, patch) => {
    const result = tradeSchema.safeParse({ ...trade, ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });
  it("refuses unknown fields", () => {
    expect(tradeSchema.safeParse({ ...trade, extra: 1 }).success).toBe(false);
  });
});

describe("quoteSchema", () => {
  it("accepts a one-sided venue quote", () => {
    expect(quoteSchema.safeParse({ symbol: "IBM", ts: 1, bid: 181.5, bidSize: 300, venue: "N" }).success).toBe(true);
  });
  it("refuses a quote with neither side", () => {
    expect(quoteSchema.safeParse({ symbol: "IBM", ts: 1 }).success).toBe(false);
  });
  it("refuses a price without its size", () => {
    const result = quoteSchema.safeParse({ symbol: "IBM", ts: 1, ask: 181.6 });
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain("askSize");
  });
});

describe("priceSchema", () => {
  it("accepts each kind and refuses an unknown one", () => {
    expect(priceSchema.safeParse({ symbol: "SPY", ts: 5, price: 168.1, kind: "close" }).success).toBe(true);
    expect(priceSchema.safeParse({ symbol: "SPY", ts: 5, price: 168.1, kind: "mid" }).success).toBe(false);
  });
});
