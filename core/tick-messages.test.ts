import { describe, expect, it } from "vitest";
import { dlqRecordSchema } from "./schemas";
import { dlqRecord, MAX_DLQ_RAW_BYTES, parseTick } from "./tick-messages";

const buf = (text: string) => Buffer.from(text, "utf8");
const trade = { symbol: "IBM", ts: 1_381_150_000_000, price: 181.5, size: 100, tradeId: "t1" };

describe("parseTick", () => {
  it("accepts a valid trade keyed by its symbol", () => {
    expect(parseTick("trades", buf("IBM"), buf(JSON.stringify(trade)))).toEqual({ ok: true, value: trade });
  });

  it.each([
    ["malformed JSON", "{not json", /malformed JSON/],
    ["a missing field", JSON.stringify({ ...trade, tradeId: undefined }), /tradeId/],
    ["a negative price", JSON.stringify({ ...trade, price: -1 }), /price/],
    ["a NaN price", '{"symbol":"IBM","ts":1381150000000,"price":NaN,"size":1,"tradeId":"x"}', /malformed JSON/],
    ["a zero size", JSON.stringify({ ...trade, size: 0 }), /size/],
    ["an unknown field", JSON.stringify({ ...trade, extra: 1 }), /extra|unrecognized/i],
    ["an empty value", "", /empty/],
  ])("refuses %s with a reason", (_name, text, reason) => {
    const parsed = parseTick("trades", buf("IBM"), buf(text));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it("refuses a record whose key is not its symbol", () => {
    const parsed = parseTick("trades", buf("AAPL"), buf(JSON.stringify(trade)));
    expect(parsed).toEqual({ ok: false, reason: 'key "AAPL" is not the symbol "IBM"' });
  });

  it("refuses a huge payload without parsing it", () => {
    const parsed = parseTick("quotes", buf("IBM"), Buffer.alloc(100_000, 0x20));
    expect(parsed.ok).toBe(false);
  });
});

describe("dlqRecord", () => {
  it("builds a schema-valid record and cuts huge raw values", () => {
    const record = dlqRecord("market.trades", 2, "17", Buffer.alloc(MAX_DLQ_RAW_BYTES + 10, 0x61), "too big", 5);
    expect(dlqRecordSchema.parse(record)).toEqual(record);
    expect(record.raw).toHaveLength(MAX_DLQ_RAW_BYTES);
    expect(record.reason).toMatch(/cut/);
  });
});
