// Baseline of `npm run bench:pipeline`, run as its own process: a bare kafkajs consumer (eachBatch +
// JSON.parse of every value, nothing else) on a fresh group reads the bench's tick topics from the
// start until it has seen `--expect` messages. Prints one JSON line: messages and seconds from the
// first batch to the last.
import { parseArgs } from "node:util";
import { getConfig } from "../../adapters/config";
import { createKafka, topicNames } from "../../adapters/kafka";
import { createLogger } from "../../adapters/logger";

const { values } = parseArgs({
  options: {
    prefix: { type: "string" },
    group: { type: "string" },
    expect: { type: "string" },
    "max-bytes": { type: "string", default: "1048576" },
  },
});
const expected = Number(values.expect);
const config = getConfig();
const log = createLogger("bench-bare-consumer");
const topics = topicNames(values.prefix ?? "");
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "bench-pipeline-bare", log });
const consumer = kafka.consumer({ groupId: values.group ?? "bench-bare", maxBytesPerPartition: Number(values["max-bytes"]) });
await consumer.connect();
await consumer.subscribe({ topics: [topics.trades, topics.quotes], fromBeginning: true });

let seen = 0;
let parsedBytes = 0;
let firstMs: number | undefined;
let lastMs = 0;
const done = new Promise<void>((resolve) => {
  void consumer.run({
    eachBatch: async ({ batch }) => {
      firstMs ??= Date.now();
      for (const m of batch.messages) {
        const tick = JSON.parse(m.value?.toString("utf8") ?? "null") as { ts: number } | null;
        parsedBytes += tick === null ? 0 : 1;
      }
      seen += batch.messages.length;
      lastMs = Date.now();
      if (seen >= expected) resolve();
      await Promise.resolve();
    },
  });
});
await done;
await consumer.disconnect();
console.log(JSON.stringify({ messages: seen, parsed: parsedBytes, seconds: (lastMs - (firstMs ?? lastMs)) / 1000 }));
