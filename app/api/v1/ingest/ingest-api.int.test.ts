// The ingest API through its real route handlers and tRPC procedures, against the real Kafka, under
// a topic prefix of its own: what a 202 answers is exactly what lands on the topics, keyed by
// symbol and readable by the stream worker's rules, and no refused request publishes anything.
import type { Admin, Consumer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_INGEST_API_KEY, getConfig } from "../../../../adapters/config";
import { createKafka, type TopicNames } from "../../../../adapters/kafka";
import { priceSchema, quoteSchema, tradeSchema, type TickKind } from "../../../../core/schemas";
import { toAppError } from "../../../../server/errors";
import { createIngestContext, setIngestContext, type IngestContext } from "../../../../server/ingest/ingest-context";
import { createCaller } from "../../../../server/routers/app-router";
import { eventually, testLog, uniqueName } from "../../../../test/helpers";
import { POST as postPrices } from "./prices/route";
import { POST as postQuotes } from "./quotes/route";
import { POST as postTrades } from "./trades/route";

const config = getConfig();
const PARTITIONS = 3;
const prefix = `${uniqueName("test-ingest")}.`;
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "ingest-int-test", log: testLog });
const contextOptions = {
  brokers: config.kafka.brokers,
  clientId: "ingest-int-test",
  topicPrefix: prefix,
  partitions: PARTITIONS,
  replicationFactor: 1,
  log: testLog,
};
const handlers = { trades: postTrades, quotes: postQuotes, prices: postPrices } as const;
const schemas = { trades: tradeSchema, quotes: quoteSchema, prices: priceSchema } as const;
const JSON_KEYED = { "content-type": "application/json", "x-api-key": DEV_INGEST_API_KEY };
const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);

let ingest: IngestContext;
let topics: TopicNames;
let admin: Admin;
/** Every tick a 202 (or a tRPC result) acknowledged, as it should appear on the topics. */
const accepted: { topic: string; key: string; value: unknown }[] = [];
/** Partitions each accepted request reported, per topic. */
const reportedPartitions = new Map<string, Set<number>>();
let seq = 0;

const trade = (symbol = "IBM", extra: Record<string, unknown> = {}) => ({
  symbol,
  ts: T0 + seq,
  price: 100 + (seq % 7),
  size: 10,
  tradeId: `t${seq++}`,
  ...extra,
});
const quote = (symbol = "IBM") => ({ symbol, ts: T0 + seq++, bid: 99.5, bidSize: 100, ask: 100.5, askSize: 200, venue: "N" });
const price = (symbol = "IBM") => ({ symbol, ts: T0 + seq++, price: 101.25, kind: "close" as const });

type Tick = { symbol: string; [field: string]: unknown };
type ErrorJson = { error: { code: string; message: string; retriable: boolean; fields?: Record<string, string[]> } };
type Accepted = { accepted: number; topic: string; partitions: number[] };

function request(body: BodyInit | null, headers: Record<string, string> = JSON_KEYED, kind: TickKind = "trades"): Request {
  const init: RequestInit & { duplex: "half" } = { method: "POST", body, headers, duplex: "half" };
  return new Request(`http://localhost/api/v1/ingest/${kind}`, init);
}

async function post(kind: TickKind, body: BodyInit | null, headers?: Record<string, string>): Promise<{ status: number; json: unknown }> {
  const response = await handlers[kind](request(body, headers, kind));
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  return { status: response.status, json: await response.json() };
}

/** Sum of the end offsets of the three tick topics: what any publish would move. */
async function endOffsets(): Promise<number> {
  let total = 0;
  for (const topic of [topics.trades, topics.quotes, topics.prices]) {
    for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high);
  }
  return total;
}

function remember(kind: TickKind, ticks: Tick[], result: Accepted): void {
  for (const tick of ticks) accepted.push({ topic: topics[kind], key: tick.symbol, value: tick });
  const seen = reportedPartitions.get(result.topic) ?? new Set<number>();
  for (const p of result.partitions) seen.add(p);
  reportedPartitions.set(result.topic, seen);
}

async function expectAccepted(kind: TickKind, ticks: Tick[]): Promise<Accepted> {
  const before = await endOffsets();
  const { status, json } = await post(kind, JSON.stringify(ticks));
  expect(status, JSON.stringify(json)).toBe(202);
  const result = json as Accepted;
  expect(result).toMatchObject({ accepted: ticks.length, topic: topics[kind] });
  expect(result.partitions).toEqual([...new Set(result.partitions)].sort((a, b) => a - b));
  // Acked before the answer: the records are already on the log when the 202 arrives.
  expect(await endOffsets()).toBe(before + ticks.length);
  remember(kind, ticks, result);
  return result;
}

async function expectRefused(
  body: BodyInit | null,
  status: number,
  code: string,
  headers?: Record<string, string>,
): Promise<ErrorJson["error"]> {
  const before = await endOffsets();
  const { status: got, json } = await post("trades", body, headers);
  expect(got, JSON.stringify(json)).toBe(status);
  const { error } = json as ErrorJson;
  expect(error.code).toBe(code);
  expect(error.retriable).toBe(false);
  expect(await endOffsets()).toBe(before);
  return error;
}

beforeAll(() => {
  ingest = createIngestContext(contextOptions);
  topics = ingest.topics;
  setIngestContext(ingest);
  admin = kafka.admin();
  return admin.connect();
});

afterAll(async () => {
  setIngestContext(undefined);
  await ingest?.close();
  await admin?.deleteTopics({ topics: [topics.trades, topics.quotes, topics.prices, topics.dlq] }).catch(() => undefined);
  await admin?.disconnect();
});

describe("POST /api/v1/ingest/{trades|quotes|prices}", () => {
  it("creates the tick topics with the configured partitions and answers 202 only once Kafka acked every trade", async () => {
    const before = Date.now();
    const first = trade("IBM");
    const { status, json } = await post("trades", JSON.stringify([first]));
    expect(status).toBe(202);
    remember("trades", [first], json as Accepted);
    const metadata = await admin.fetchTopicMetadata({ topics: [topics.trades, topics.quotes, topics.prices] });
    expect(metadata.topics.map((t) => t.partitions.length)).toEqual([PARTITIONS, PARTITIONS, PARTITIONS]);
    expect(Date.now() - before).toBeLessThan(30_000);

    const symbols = ["IBM", "AAPL", "MSFT", "BRK.B", "BTC-USD", "SPY"];
    const result = await expectAccepted(
      "trades",
      Array.from({ length: 60 }, (_, i) => trade(symbols[i % symbols.length])),
    );
    expect(result.partitions.length).toBeGreaterThan(1);
  });

  it("publishes quotes and prices to their own topics", async () => {
    await expectAccepted("quotes", [quote("IBM"), quote("AAPL"), { symbol: "MSFT", ts: T0 + seq++, ask: 410.5, askSize: 3 }]);
    await expectAccepted("prices", [price("IBM"), price("SPY")]);
  });

  it("refuses malformed JSON, a non-array, an empty array and more ticks than allowed, publishing nothing", async () => {
    expect((await expectRefused('[{"symbol":"IBM","ts":1,', 400, "BAD_REQUEST")).message).toMatch(/^malformed JSON/);
    expect((await expectRefused(JSON.stringify(trade()), 400, "BAD_REQUEST")).fields).toEqual({ "": ["expected an array of trades"] });
    await expectRefused("[]", 400, "BAD_REQUEST");
    const tooMany = Array.from({ length: config.ingest.maxTicks + 1 }, () => ({ symbol: "IBM", ts: T0, price: 1, size: 1, tradeId: "x" }));
    expect((await expectRefused(JSON.stringify(tooMany), 413, "PAYLOAD_TOO_LARGE")).message).toMatch(/at most 5000/);
  });

  it("refuses a batch with any invalid tick, naming each bad field by index, and publishes none of its valid ticks", async () => {
    const batch = [
      trade("IBM"),
      { symbol: "IBM", ts: T0 }, // missing fields
      trade("IBM", { price: -5 }),
      trade("IBM", { price: "NaN" }),
      trade("IBM", { size: 0 }),
      trade("IBM", { color: "red" }),
      trade("IBM", { price: 1e6 }),
    ];
    const error = await expectRefused(JSON.stringify(batch), 400, "BAD_REQUEST");
    expect(error.message).toBe("5 of 7 trades invalid; nothing was published");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual([
      "[1].price",
      "[1].size",
      "[1].tradeId",
      "[2].price",
      "[3].price",
      "[4].size",
      "[5]",
    ]);
    expect(error.fields?.["[5]"]?.join()).toMatch(/color/);
  });

  it("refuses a price of 1e400, which JSON.parse reads as Infinity", async () => {
    const body = `[{"symbol":"IBM","ts":${T0},"price":1e400,"size":1,"tradeId":"inf"}]`;
    expect(Object.keys((await expectRefused(body, 400, "BAD_REQUEST")).fields ?? {})).toEqual(["[0].price"]);
  });

  it("refuses a 2 MiB payload with 413, whether it declares its length or streams without one", async () => {
    const filler = JSON.stringify(
      Array.from({ length: 20_000 }, (_, i) => ({ symbol: "IBM", ts: T0, price: 1, size: 1, tradeId: `pad-${i}`.padEnd(64, "x") })),
    );
    const twoMiB = filler.slice(0, 2 * 1_048_576);
    expect(twoMiB.length).toBe(2 * 1_048_576);
    await expectRefused(twoMiB, 413, "PAYLOAD_TOO_LARGE", { ...JSON_KEYED, "content-length": String(twoMiB.length) });
    const bytes = new TextEncoder().encode(twoMiB);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(at, at + 65_536));
        at += 65_536;
      },
    });
    await expectRefused(stream, 413, "PAYLOAD_TOO_LARGE");
    // One chunk past the limit, plus the one the stream reads ahead.
    expect(at).toBeLessThanOrEqual(1_048_576 + 2 * 65_536);
  });

  it("refuses a wrong or missing content type with 415", async () => {
    const body = JSON.stringify([trade()]);
    await expectRefused(body, 415, "UNSUPPORTED_MEDIA_TYPE", { "content-type": "text/plain", "x-api-key": DEV_INGEST_API_KEY });
    await expectRefused(body, 415, "UNSUPPORTED_MEDIA_TYPE", { "x-api-key": DEV_INGEST_API_KEY });
  });

  it("refuses a missing or wrong API key with 401", async () => {
    const body = JSON.stringify([trade()]);
    expect((await expectRefused(body, 401, "UNAUTHORIZED", { "content-type": "application/json" })).message).toMatch(/missing/);
    await expectRefused(body, 401, "UNAUTHORIZED", { "content-type": "application/json", "x-api-key": `${DEV_INGEST_API_KEY}x` });
  });

  it("accepts a valid request right after all the refused ones", async () => {
    await expectAccepted("trades", [trade("IBM"), trade("AAPL")]);
  });

  it("answers 503, retriable, when Kafka cannot be reached, while bad input stays a 400", async () => {
    const down = createIngestContext({ ...contextOptions, brokers: ["127.0.0.1:1"] });
    setIngestContext(down);
    try {
      const started = Date.now();
      const { status, json } = await post("trades", JSON.stringify([trade()]));
      expect(status).toBe(503);
      expect((json as ErrorJson).error).toMatchObject({ code: "UNAVAILABLE", retriable: true });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect((await post("trades", JSON.stringify([{ symbol: "IBM" }]))).status).toBe(400);
    } finally {
      setIngestContext(ingest);
      await down.close();
    }
    await expectAccepted("trades", [trade("MSFT")]);
  });
});

describe("tRPC ingest.trades/quotes/prices", () => {
  const caller = (headers?: Record<string, string>) =>
    createCaller({ db: () => Promise.reject(new Error("unused")), headers: headers && new Headers(headers), ingest });

  it("refuses a caller without a key or with a wrong one, publishing nothing", async () => {
    const before = await endOffsets();
    for (const call of [caller(), caller({ "x-api-key": "nope" })]) {
      const error = await call.ingest.trades([trade()]).catch((e: unknown) => e);
      expect(toAppError(error)).toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect(await endOffsets()).toBe(before);
  });

  it("publishes with the key and refuses invalid ticks with the same field errors as REST", async () => {
    const keyed = caller({ "x-api-key": DEV_INGEST_API_KEY });
    const ticks = [trade("SPY"), trade("IBM")];
    const before = await endOffsets();
    const result = await keyed.ingest.trades(ticks);
    expect(result).toMatchObject({ accepted: 2, topic: topics.trades });
    expect(await endOffsets()).toBe(before + 2);
    remember("trades", ticks, result);

    const prices = [price("AAPL")];
    remember("prices", prices, await keyed.ingest.prices(prices));
    const quotes = [quote("SPY")];
    remember("quotes", quotes, await keyed.ingest.quotes(quotes));

    const error = await keyed.ingest.trades([trade("IBM", { size: 0 })]).catch((e: unknown) => e);
    expect(toAppError(error)).toMatchObject({ code: "BAD_REQUEST", fields: { "[0].size": [expect.any(String)] } });
  });
});

describe("what lands on the topics", () => {
  let consumer: Consumer | undefined;
  afterAll(async () => {
    await consumer?.disconnect();
  });

  it("holds exactly the accepted ticks, keyed by symbol, one partition per symbol, each valid for the stream worker", async () => {
    const received: { topic: string; partition: number; key: string; raw: string }[] = [];
    consumer = kafka.consumer({ groupId: uniqueName("test-ingest-read") });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.trades, topics.quotes, topics.prices], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        received.push({ topic, partition, key: message.key?.toString() ?? "", raw: message.value?.toString() ?? "" });
        return Promise.resolve();
      },
    });
    await eventually(() => received.length >= accepted.length, `${accepted.length} messages read back`, 60_000);
    expect(await endOffsets()).toBe(accepted.length);

    const byContent = (m: { topic: string; key: string; value: unknown }) => `${m.topic}|${m.key}|${JSON.stringify(m.value)}`;
    const got = received.map((m) => ({ topic: m.topic, key: m.key, value: JSON.parse(m.raw) as unknown }));
    expect(got.map(byContent).sort()).toEqual(accepted.map(byContent).sort());

    const partitionOfSymbol = new Map<string, number>();
    for (const m of received) {
      // The stream worker's rules (core/tick-messages.ts): at most 16 KiB, a valid tick, key = symbol.
      expect(Buffer.byteLength(m.raw)).toBeLessThanOrEqual(16 * 1024);
      const kind = (Object.keys(topics) as (keyof TopicNames)[]).find((k) => topics[k] === m.topic) as TickKind;
      const tick = schemas[kind].parse(JSON.parse(m.raw));
      expect(m.key).toBe(tick.symbol);
      const where = `${m.topic}|${m.key}`;
      expect(partitionOfSymbol.get(where) ?? m.partition).toBe(m.partition);
      partitionOfSymbol.set(where, m.partition);
      expect(reportedPartitions.get(m.topic)?.has(m.partition)).toBe(true);
    }
  });
});
