// Hostile input through the real Kafka, stream worker and Cassandra: a trade dated 2100 must not
// poison its partition, a 2 MiB burst of bad messages must not stall it, and a trade produced twice
// at different offsets must count once.
import { spawnSync } from "node:child_process";
import type { Consumer, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectProducer } from "../../adapters/kafka";
import { dlqRecordSchema, type DlqRecord } from "../../core/schemas";
import { eventually, testLog, uniqueName } from "../../test/helpers";
import { createFixture, type Fixture } from "./pipeline-fixture";
import { startStreamWorker, type StreamWorker } from "./start-stream-worker";

describe("hostile input on the trades topic", () => {
  let fx: Fixture;
  let producer: Producer;
  let worker: StreamWorker;
  let dlqConsumer: Consumer;
  let groupId = "";
  const dlq: DlqRecord[] = [];
  // One partition: every symbol shares it, as the poisoning needs.
  beforeAll(async () => {
    fx = await createFixture(1);
    producer = await connectProducer(fx.kafka);
    // The production batch size: a 1 MiB fetch of bad messages makes a DLQ send of several MiB.
    const settings = fx.settings({ maxBatchBytes: 1_048_576 });
    groupId = settings.groupId;
    worker = await startStreamWorker({ kafka: fx.kafka, producer, store: fx.store, topics: fx.topics, settings, log: testLog });
    dlqConsumer = fx.kafka.consumer({ groupId: uniqueName("test-dlq") });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topics: [fx.topics.dlq], fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: ({ message }) => {
        dlq.push(dlqRecordSchema.parse(JSON.parse(message.value?.toString() ?? "")));
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

  const trade = (symbol: string, ts: number, price: number, tradeId: string, size = 10) => ({
    key: symbol,
    value: JSON.stringify({ symbol, ts, price, size, tradeId }),
  });

  it("sends a trade dated 2100 to the DLQ and keeps every later trade of its partition on time", async () => {
    const t0 = Date.now() - 10 * 60_000;
    await producer.send({
      topic: fx.topics.trades,
      messages: [trade("FUTA", t0, 10, "a0"), trade("FUTA", Date.UTC(2100, 0, 1), 11, "a-2100"), trade("FUTB", t0, 20, "b0")],
    });
    // Later trades of both symbols, spread over four minutes.
    const later = Array.from({ length: 40 }, (_, i) => trade(i % 2 === 0 ? "FUTA" : "FUTB", t0 + 6_000 * (i + 1), 10 + i, `l${i}`));
    await producer.send({ topic: fx.topics.trades, messages: later });
    await eventually(() => worker.processor.stats().trades >= 42, "every valid trade folded", 60_000);
    expect(dlq.find((d) => d.reason.includes("2100-01-01"))?.reason).toMatch(/ahead of its record time .*STREAM_MAX_FUTURE_MS/);
    expect(worker.processor.stats().lateTrades).toBe(0);
    // The stored clock, which a restart resumes from, never saw 2100.
    const clocks = await fx.store.readProgress({ group: groupId, topic: fx.topics.trades, partition: 0 });
    expect(clocks.get("FUTA")?.maxEventTsMs).toBe(t0 + 6_000 * 39);
    const candles = await fx.store.getCandles("FUTA", "1m", t0 - 60_000, Date.UTC(2100, 0, 2), 100);
    expect(candles.every((c) => c.candle.windowStart < Date.UTC(2099, 0, 1))).toBe(true);
  });

  it("gets through a 2 MiB burst of bad messages (4 MiB as DLQ records): all in the DLQ, in bounded sends, the good trades after it folded", async () => {
    const t0 = Date.now() - 5 * 60_000;
    const before = worker.processor.stats().trades;
    // 150 malformed values of 14 KiB, full of quotes: as DLQ records (JSON-escaped) about 4 MiB.
    const bad = Array.from({ length: 150 }, (_, i) => ({
      key: "BURST",
      value: `{"symbol":"BURST","n":${i},"junk":"${'"'.repeat(14_000)}`,
    }));
    for (let i = 0; i < bad.length; i += 25) await producer.send({ topic: fx.topics.trades, messages: bad.slice(i, i + 25) });
    await producer.send({ topic: fx.topics.trades, messages: [trade("BURST", t0, 5, "ok1"), trade("BURST", t0 + 1, 6, "ok2")] });
    await eventually(() => worker.processor.stats().trades >= before + 2, "the good trades after the burst to be folded", 90_000);
    await eventually(
      () => dlq.filter((d) => d.raw.startsWith('{"symbol":"BURST"')).length >= 150,
      "every bad message of the burst in the DLQ",
      60_000,
    );
    expect(dlq.filter((d) => d.raw.startsWith('{"symbol":"BURST"')).every((d) => /malformed JSON/.test(d.reason))).toBe(true);
  });

  it("counts a trade produced twice at different offsets once", async () => {
    const t0 = Date.now() - 3 * 60_000;
    const first = trade("DUPE", t0, 50, "d-1", 100);
    await producer.send({ topic: fx.topics.trades, messages: [first, trade("DUPE", t0 + 10, 51, "d-2", 7)] });
    // The client resends after a 503 whose write partly landed: the same trade at a later offset.
    await producer.send({ topic: fx.topics.trades, messages: [trade("DUPE", t0 + 20, 52, "d-3", 3), first] });
    await eventually(async () => (await fx.store.getLatest(["DUPE"]))[0]?.dayVolume === 110, "the three distinct trades folded", 60_000);
    await eventually(() => worker.processor.stats().duplicateTrades >= 1, "the repeat recognised", 30_000);
    const [candle] = await fx.store.getCandles("DUPE", "1m", Math.floor(t0 / 60_000) * 60_000, t0 + 60_000, 10);
    expect(candle?.candle).toMatchObject({ volume: 110, tradeCount: 3 });
  });

  it("repairs a clock poisoned before the future rule existed with npm run stream:reset-clock", async () => {
    const lastTs = Date.UTC(2024, 4, 6, 14, 31, 12);
    const candle = {
      symbol: "POIS",
      interval: "1m" as const,
      windowStart: Date.UTC(2024, 4, 6, 14, 31),
      open: 5,
      high: 5,
      low: 5,
      close: 5,
      volume: 1,
      notional: 5,
      vwap: 5,
      tradeCount: 1,
      firstTs: lastTs,
      firstTradeId: "p1",
      lastTs,
      lastTradeId: "p1",
    };
    await fx.store.writeCandles([{ candle, isFinal: false, sourcePartition: 0, lastOffset: "9" }], Date.now());
    const key = { group: groupId, topic: fx.topics.trades, partition: 0 };
    const poisoned = Date.UTC(2100, 0, 1);
    await fx.store.writeProgressSymbols(key, [{ symbol: "POIS", firstEventTsMs: lastTs, maxEventTsMs: poisoned }], Date.now());
    await fx.store.writeProgressClosed(key, [
      { symbol: "POIS", closedThroughMs: { "1s": poisoned, "1m": poisoned, "5m": poisoned, "1h": poisoned } },
    ]);
    const run = spawnSync(process.execPath, ["--import", "tsx", "infra/reset-stream-clock.ts", "--symbol", "POIS"], {
      encoding: "utf8",
      env: {
        // eslint-disable-next-line no-restricted-syntax -- hands the environment on to the child; reads no setting
        ...process.env,
        CASSANDRA_KEYSPACE: fx.keyspace,
        KAFKA_TOPIC_PREFIX: fx.prefix,
        STREAM_GROUP_ID: groupId,
        KAFKA_TOPIC_PARTITIONS: "1",
      },
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("→ 2024-05-06T14:31:12.000Z");
    const clock = (await fx.store.readProgress(key)).get("POIS");
    expect(clock).toMatchObject({ maxEventTsMs: lastTs, closedThroughMs: { "1m": candle.windowStart, "1h": Date.UTC(2024, 4, 6, 14) } });
  });
});
