// Load generator of `npm run bench:pipeline`, run as its own process: produces trades (and quotes
// at a given ratio) of N symbols to the bench's topics with the project's idempotent producer.
// Either a fixed count as fast as possible (event time advancing at `--event-rate` trades per
// second of event time, as a feed of that rate would stamp them), or a constant rate for a
// duration with ts = now (the live case). Prints one JSON line with what Kafka acknowledged.
import { parseArgs } from "node:util";
import { getConfig } from "../../adapters/config";
import { connectProducer, createKafka, topicNames } from "../../adapters/kafka";
import { createLogger } from "../../adapters/logger";

const { values } = parseArgs({
  options: {
    prefix: { type: "string" },
    trades: { type: "string", default: "0" },
    symbols: { type: "string", default: "50" },
    "quotes-per-trade": { type: "string", default: "0" },
    "event-rate": { type: "string", default: "50000" },
    "start-ts": { type: "string", default: String(Date.UTC(2026, 0, 5, 14, 30)) },
    rate: { type: "string", default: "0" },
    seconds: { type: "string", default: "0" },
    chunk: { type: "string", default: "2000" },
  },
});
const prefix = values.prefix ?? "";
const symbolCount = Number(values.symbols);
const quotesPerTrade = Number(values["quotes-per-trade"]);
const chunk = Number(values.chunk);
const constantRate = Number(values.rate);
const log = createLogger("bench-produce");
const config = getConfig();
const topics = topicNames(prefix);
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "bench-pipeline-produce", log });
const producer = await connectProducer(kafka);

const symbols = Array.from({ length: symbolCount }, (_, i) => `BP${String(i).padStart(3, "0")}`);
const prices = symbols.map((_, i) => 50 + i);
let seed = 42;
/** Deterministic uniform [0, 1) (mulberry32): the same input every run. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

let tradeSeq = 0;
let quoteCarry = 0;
type Message = { key: string; value: string };
/** One trade of a random symbol at `ts`, and the quotes that go with it (ratio kept on average). */
function tick(ts: number, trades: Message[], quotes: Message[]): void {
  const i = Math.floor(random() * symbolCount);
  const symbol = symbols[i] as string;
  const price = Math.max(1, (prices[i] as number) * (1 + (random() - 0.5) * 0.002));
  prices[i] = price;
  const rounded = Math.round(price * 100) / 100;
  tradeSeq++;
  trades.push({
    key: symbol,
    value: JSON.stringify({ symbol, ts, price: rounded, size: 1 + Math.floor(random() * 500), tradeId: `bp-${tradeSeq}`, venue: "Q" }),
  });
  quoteCarry += quotesPerTrade;
  for (; quoteCarry >= 1; quoteCarry--) {
    quotes.push({
      key: symbol,
      value: JSON.stringify({ symbol, ts, bid: rounded - 0.01, bidSize: 100, ask: rounded + 0.01, askSize: 200, venue: "Q" }),
    });
  }
}

async function send(trades: Message[], quotes: Message[]): Promise<void> {
  const topicMessages = [
    { topic: topics.trades, messages: trades },
    { topic: topics.quotes, messages: quotes },
  ].filter((t) => t.messages.length > 0);
  if (topicMessages.length > 0) await producer.sendBatch({ topicMessages });
}

let sentTrades = 0;
let sentQuotes = 0;
const startedMs = Date.now();
if (constantRate > 0) {
  // Constant rate, ts = now: one chunk every 50 ms of what is due by then.
  const endMs = startedMs + Number(values.seconds) * 1000;
  for (let nowMs = Date.now(); nowMs < endMs; nowMs = Date.now()) {
    const due = Math.floor(((nowMs - startedMs) / 1000) * constantRate) - sentTrades;
    const trades: Message[] = [];
    const quotes: Message[] = [];
    for (let k = 0; k < due; k++) tick(nowMs, trades, quotes);
    await send(trades, quotes);
    sentTrades += trades.length;
    sentQuotes += quotes.length;
    const waitMs = 50 - (Date.now() - nowMs);
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
} else {
  const total = Number(values.trades);
  const eventStepMs = 1000 / Number(values["event-rate"]);
  const startTs = Number(values["start-ts"]);
  while (sentTrades < total) {
    const trades: Message[] = [];
    const quotes: Message[] = [];
    const n = Math.min(chunk, total - sentTrades);
    for (let k = 0; k < n; k++) tick(startTs + Math.floor((sentTrades + k) * eventStepMs), trades, quotes);
    await send(trades, quotes);
    sentTrades += trades.length;
    sentQuotes += quotes.length;
  }
}
await producer.disconnect();
console.log(JSON.stringify({ trades: sentTrades, quotes: sentQuotes, seconds: (Date.now() - startedMs) / 1000 }));
