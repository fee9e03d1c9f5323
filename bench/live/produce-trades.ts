// Load generator of the live benchmarks, its own process: produces trades of the given symbols to
// the benchmark's trades topic at a constant rate with ts = now (the time of the send), in small
// sends every few ms so event times are fresh, with the project's idempotent producer.
// Args: --prefix P --symbols A,B,… ; command `produce { rate, seconds }` answers with what Kafka
// acknowledged and each symbol's last price.
import { parseArgs } from "node:util";
import { getConfig } from "../../adapters/config";
import { connectProducer, createKafka, topicNames } from "../../adapters/kafka";
import { createLogger } from "../../adapters/logger";
import { serveCommands } from "./children";

const { values } = parseArgs({ options: { prefix: { type: "string" }, symbols: { type: "string" } } });
const symbols = (values.symbols ?? "").split(",").filter(Boolean);
if (symbols.length === 0) throw new Error("--symbols: none given");
const topic = topicNames(values.prefix ?? "").trades;
const config = getConfig();
const log = createLogger("bench-live-produce");
const producer = await connectProducer(createKafka({ brokers: config.kafka.brokers, clientId: "bench-live-produce", log }));

const prices = symbols.map((_, i) => 50 + i);
let tradeSeq = 0;
let seed = 7;
/** Deterministic uniform [0, 1) (mulberry32). */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export interface ProduceResult {
  sent: number;
  seconds: number;
  /** The most trades one send carried (a sign of the producer falling behind). */
  maxSend: number;
  lastPrices: Record<string, number>;
}

async function produce(rate: number, seconds: number): Promise<ProduceResult> {
  const startedMs = Date.now();
  const endMs = startedMs + seconds * 1000;
  const total = Math.round(rate * seconds);
  let sent = 0;
  let maxSend = 0;
  const lastPrices: Record<string, number> = {};
  while (sent < total) {
    const nowMs = Date.now();
    const due = Math.min(total, Math.floor(((Math.min(nowMs, endMs) - startedMs) / 1000) * rate)) - sent;
    if (due <= 0) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      continue;
    }
    const messages = [];
    for (let k = 0; k < due; k++) {
      // Round robin, so every symbol trades at rate / symbols.
      const i = (sent + k) % symbols.length;
      const symbol = symbols[i] as string;
      const price = Math.round(Math.max(1, (prices[i] as number) * (1 + (random() - 0.5) * 0.002)) * 100) / 100;
      prices[i] = price;
      lastPrices[symbol] = price;
      tradeSeq++;
      messages.push({
        key: symbol,
        value: JSON.stringify({
          symbol,
          ts: nowMs,
          price,
          size: 1 + Math.floor(random() * 500),
          tradeId: `bl-${process.pid}-${tradeSeq}`,
          venue: "Q",
        }),
      });
    }
    await producer.send({ topic, messages });
    sent += due;
    maxSend = Math.max(maxSend, due);
  }
  return { sent, seconds: (Date.now() - startedMs) / 1000, maxSend, lastPrices };
}

serveCommands({
  ready: () => true,
  produce: ({ rate, seconds }) => produce(Number(rate), Number(seconds)),
});
