import type { Consumer, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, testLog, uniqueName } from "../test/helpers";
import { getConfig } from "./config";
import { connectProducer, createKafka, ensureTopics, keyPartitioner, topicPartitionCount } from "./kafka";

const config = getConfig();
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "kafka-int-test", log: testLog });
const admin = kafka.admin();
const topic = uniqueName("test-roundtrip");
let producer: Producer;
let consumer: Consumer;

beforeAll(async () => {
  await admin.connect();
  const created = await ensureTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
  expect(created).toEqual([topic]);
  producer = await connectProducer(kafka);
  consumer = kafka.consumer({ groupId: uniqueName("test-group") });
  await consumer.connect();
});

afterAll(async () => {
  await consumer?.disconnect();
  await producer?.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe("Kafka through the adapters", () => {
  it("creates a topic once: a second ensureTopics creates nothing", async () => {
    expect(await ensureTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }])).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
  });

  it("round-trips keyed messages through 3 partitions, each key staying on one partition in order", async () => {
    const symbols = ["IBM", "AAPL", "MSFT", "SPY", "BTC-USD", "AMZN"];
    const messages = Array.from({ length: 120 }, (_, i) => ({
      key: symbols[i % symbols.length],
      value: JSON.stringify({ seq: i, symbol: symbols[i % symbols.length] }),
    }));
    const acks = await producer.send({ topic, messages });
    expect(acks.every((ack) => ack.errorCode === 0)).toBe(true);

    const received: Array<{ partition: number; key: string; seq: number }> = [];
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const value = JSON.parse(message.value?.toString() ?? "{}") as { seq: number };
        received.push({ partition, key: message.key?.toString() ?? "", seq: value.seq });
        return Promise.resolve();
      },
    });
    await eventually(() => received.length >= messages.length, "all messages consumed");

    expect(received).toHaveLength(messages.length);
    expect(new Set(received.map((r) => r.seq)).size).toBe(messages.length);
    const partitionsUsed = new Set(received.map((r) => r.partition));
    expect(partitionsUsed.size).toBeGreaterThan(1);
    // keyPartitioner knows where a key went without reading it back.
    const partitionOf = keyPartitioner(await topicPartitionCount(admin, topic));
    for (const symbol of symbols) {
      const ofSymbol = received.filter((r) => r.key === symbol);
      expect(new Set(ofSymbol.map((r) => r.partition))).toEqual(new Set([partitionOf(symbol)]));
      const seqs = ofSymbol.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });
});
