import type { Consumer, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectProducer } from "../../adapters/kafka";
import { dlqRecordSchema, type DlqRecord } from "../../core/schemas";
import { eventually, testLog, uniqueName } from "../../test/helpers";
import { createFixture, type Fixture } from "./pipeline-fixture";
import { startStreamWorker, type StreamWorker } from "./start-stream-worker";

describe("bad input on the tick topics", () => {
  let fx: Fixture;
  let producer: Producer;
  let worker: StreamWorker;
  let dlqConsumer: Consumer;
  const dlq: { key: string | undefined; record: DlqRecord }[] = [];

  beforeAll(async () => {
    fx = await createFixture(2);
    producer = await connectProducer(fx.kafka);
    worker = await startStreamWorker({
      kafka: fx.kafka,
      producer,
      store: fx.store,
      topics: fx.topics,
      settings: fx.settings(),
      log: testLog,
    });
    dlqConsumer = fx.kafka.consumer({ groupId: uniqueName("test-dlq") });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topics: [fx.topics.dlq], fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: ({ message }) => {
        dlq.push({ key: message.key?.toString(), record: dlqRecordSchema.parse(JSON.parse(message.value?.toString() ?? "")) });
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await worker?.stop();
    await producer?.disconnect();
    await fx?.close();
  });

  it("sends each bad message to the DLQ with its reason and keeps processing the good ones after it", async () => {
    const t0 = Date.UTC(2024, 0, 2, 15, 0, 0);
    const good = (i: number) => ({
      key: "IBM",
      value: JSON.stringify({ symbol: "IBM", ts: t0 + i * 1000, price: 100 + i, size: 10, tradeId: `g${i}` }),
    });
    const bad: { name: string; key: string; value: string; reason: RegExp }[] = [
      { name: "malformed JSON", key: "IBM", value: '{"symbol":"IBM",', reason: /malformed JSON/ },
      { name: "missing fields", key: "IBM", value: JSON.stringify({ symbol: "IBM", ts: t0 }), reason: /price|size|tradeId/ },
      {
        name: "negative price",
        key: "IBM",
        value: JSON.stringify({ symbol: "IBM", ts: t0, price: -5, size: 1, tradeId: "n" }),
        reason: /price/,
      },
      {
        name: "NaN price",
        key: "IBM",
        value: '{"symbol":"IBM","ts":1704207600000,"price":NaN,"size":1,"tradeId":"nan"}',
        reason: /malformed JSON/,
      },
      {
        name: "NaN price as a string",
        key: "IBM",
        value: JSON.stringify({ symbol: "IBM", ts: t0, price: "NaN", size: 1, tradeId: "s" }),
        reason: /price/,
      },
      { name: "zero size", key: "IBM", value: JSON.stringify({ symbol: "IBM", ts: t0, price: 5, size: 0, tradeId: "z" }), reason: /size/ },
      {
        name: "unknown field",
        key: "IBM",
        value: JSON.stringify({ symbol: "IBM", ts: t0, price: 5, size: 1, tradeId: "u", color: "red" }),
        reason: /color|unrecognized/i,
      },
      {
        name: "huge payload",
        key: "IBM",
        value: JSON.stringify({ symbol: "IBM", ts: t0, price: 5, size: 1, tradeId: "x".repeat(200_000) }),
        reason: /exceeds/,
      },
      {
        name: "key not the symbol",
        key: "AAPL",
        value: JSON.stringify({ symbol: "IBM", ts: t0, price: 5, size: 1, tradeId: "k" }),
        reason: /not the symbol/,
      },
    ];
    await producer.send({
      topic: fx.topics.trades,
      messages: [good(0), ...bad.map(({ key, value }) => ({ key, value })), good(1), good(2)],
    });
    await producer.send({
      topic: fx.topics.quotes,
      messages: [{ key: "IBM", value: JSON.stringify({ symbol: "IBM", ts: t0, venue: "N" }) }],
    });
    await producer.send({
      topic: fx.topics.prices,
      messages: [{ key: "IBM", value: JSON.stringify({ symbol: "IBM", ts: t0, price: 5, kind: "bogus" }) }],
    });

    await eventually(() => dlq.length >= bad.length + 2, "every bad message in the DLQ", 60_000);
    for (const b of bad) {
      const hit = dlq.find(
        (d) =>
          d.record.topic === fx.topics.trades && d.record.reason.match(b.reason) && (b.name !== "key not the symbol" || d.key === "AAPL"),
      );
      expect(hit, b.name).toBeDefined();
    }
    expect(dlq.find((d) => d.record.topic === fx.topics.quotes)?.record.reason).toMatch(/bid or an ask/);
    expect(dlq.find((d) => d.record.topic === fx.topics.prices)?.record.reason).toMatch(/kind/);
    expect(dlq.every((d) => d.record.offset !== "" && d.record.partition >= 0)).toBe(true);
    expect(dlq.find((d) => d.record.reason.match(/exceeds/))?.record.raw.length).toBeLessThanOrEqual(64 * 1024);

    await eventually(
      async () => (await fx.store.getLatest(["IBM"]))[0]?.dayVolume === 30,
      "the good trades after the bad ones to be folded",
      30_000,
    );
    const [candle] = await fx.store.getCandles("IBM", "1m", t0, t0, 10);
    expect(candle?.candle).toMatchObject({ open: 100, close: 102, tradeCount: 3, volume: 30 });
    expect(worker.processor.stats()).toMatchObject({ trades: 3, dlq: bad.length + 2 });
  });
});
