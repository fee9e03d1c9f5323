import { describe, expect, it } from "vitest";
import { dlqRecordSchema } from "./schemas";
import { dlqRecord, dlqSends, MAX_DLQ_RAW_BYTES, parseTick, validateRecords } from "./tick-messages";

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

describe("validateRecords", () => {
  const source = { topic: "market.trades", partition: 2 };
  const record = (offset: string, tick: object, timestamp?: string) => ({
    offset,
    key: buf("IBM"),
    value: buf(JSON.stringify(tick)),
    ...(timestamp ? { timestamp } : {}),
  });
  const sentAt = 1_381_150_000_000;

  it("sends a tick dated further ahead of its record's time than maxFutureMs to the DLQ, whatever the consumer's clock", () => {
    const records = [
      record("1", trade, String(sentAt)),
      record("2", { ...trade, tradeId: "t2", ts: sentAt + 60_000 }, String(sentAt)),
      record("3", { ...trade, tradeId: "t3", ts: Date.UTC(2100, 0, 1) }, String(sentAt)),
    ];
    for (const atMs of [sentAt, Date.UTC(2099, 11, 31)]) {
      const { valid, dlq } = validateRecords("trades", source, records, { maxFutureMs: 300_000, atMs });
      expect(valid.map((v) => v.offset)).toEqual(["1", "2"]);
      expect(dlq.map((d) => [d.value.offset, d.value.reason])).toEqual([
        ["3", expect.stringMatching(/^ts 2100-01-01T00:00:00.000Z is \d+ ms ahead of its record time 2013-10-07/)],
      ]);
      expect(dlqRecordSchema.parse(dlq[0]?.value)).toMatchObject({ topic: "market.trades", partition: 2 });
    }
  });

  it("judges a record without a timestamp by the wall clock", () => {
    const { valid, dlq } = validateRecords("trades", source, [record("7", { ...trade, ts: sentAt + 3_600_000 })], {
      maxFutureMs: 300_000,
      atMs: sentAt,
    });
    expect(valid).toEqual([]);
    expect(dlq).toHaveLength(1);
  });
});

describe("dlqSends", () => {
  it("cuts DLQ records into sends under the byte bound, each oversized record alone, none lost", () => {
    const big = Buffer.alloc(200 * 1024, '"');
    const records = Array.from({ length: 40 }, (_, i) => ({
      key: null,
      value: dlqRecord("market.trades", 0, String(i), i % 5 === 0 ? big : buf("{bad"), "malformed JSON", 0),
    }));
    const sends = dlqSends(records, 512 * 1024);
    expect(sends.flat()).toEqual(records);
    for (const send of sends) {
      const bytes = send.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r.value)), 0);
      expect(send.length === 1 || bytes <= 512 * 1024).toBe(true);
    }
    expect(sends.length).toBeGreaterThan(1);
  });
});
