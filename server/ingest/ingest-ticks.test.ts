import type { Message, RecordMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { topicNames } from "../../adapters/kafka";
import { AppError } from "../errors";
import type { IngestContext } from "./ingest-context";
import { ingestTicks, MAX_REPORTED_INVALID_TICKS, parseTickBatch, publishTicks, sendError } from "./ingest-ticks";

const trade = (i: number, symbol = "IBM") => ({ symbol, ts: 1_700_000_000_000 + i, price: 100 + i, size: 10, tradeId: `t${i}` });

function caught(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected an AppError");
}

/** A context whose producer records what it was given and acks on the partitions `partitionOf` picks. */
function fakeContext(partitionOf: (key: string) => number = () => 0, fail?: Error) {
  const sent: { topic: string; messages: Message[] }[] = [];
  const ctx: IngestContext = {
    topics: topicNames("t."),
    send: (topic, messages) => {
      if (fail !== undefined) return Promise.reject(fail);
      sent.push({ topic, messages });
      const partitions = [...new Set(messages.map((m) => partitionOf(String(m.key))))];
      return Promise.resolve(partitions.map((partition): RecordMetadata => ({ topicName: topic, partition, errorCode: 0 })));
    },
    close: () => Promise.resolve(),
  };
  return { ctx, sent };
}

describe("parseTickBatch", () => {
  it("returns the validated ticks of a valid batch", () => {
    expect(parseTickBatch("trades", [trade(1), trade(2, "BRK.B")], 10)).toEqual([trade(1), trade(2, "BRK.B")]);
    expect(parseTickBatch("quotes", [{ symbol: "IBM", ts: 1, bid: 1, bidSize: 2 }], 10)).toHaveLength(1);
    expect(parseTickBatch("prices", [{ symbol: "IBM", ts: 1, price: 3, kind: "close" }], 10)).toHaveLength(1);
  });

  it("refuses a body that is not an array, and an empty array, with 400", () => {
    expect(caught(() => parseTickBatch("trades", trade(1), 10))).toMatchObject({
      code: "BAD_REQUEST",
      fields: { "": [expect.any(String)] },
    });
    expect(caught(() => parseTickBatch("trades", [], 10))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("refuses more ticks than the limit with 413 before validating any", () => {
    const error = caught(() => parseTickBatch("trades", [trade(1), trade(2), { junk: true }], 2));
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
    expect(error.message).toMatch(/at most 2/);
  });

  it("names each bad field by element index, and counts the bad elements", () => {
    const batch = [
      trade(0),
      { ...trade(1), price: -5 },
      { ...trade(2), price: "NaN" },
      { ...trade(3), price: Number.POSITIVE_INFINITY },
      { ...trade(4), size: 0 },
      { ...trade(5), color: "red" },
      { symbol: "IBM", ts: 1 },
      "not an object",
    ];
    const error = caught(() => parseTickBatch("trades", batch, 100));
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      status: 400,
      retriable: false,
      message: "7 of 8 trades invalid; nothing was published",
    });
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(
      ["[1].price", "[2].price", "[3].price", "[4].size", "[5]", "[6].price", "[6].size", "[6].tradeId", "[7]"].sort(),
    );
    expect(error.fields?.["[5]"]?.[0]).toMatch(/color/);
  });

  it(`lists the field errors of the first ${MAX_REPORTED_INVALID_TICKS} bad elements only`, () => {
    const batch = Array.from({ length: 500 }, (_, i) => ({ ...trade(i), size: -1 }));
    const error = caught(() => parseTickBatch("trades", batch, 1000));
    expect(error.message).toMatch(/^500 of 500/);
    expect(Object.keys(error.fields ?? {})).toHaveLength(MAX_REPORTED_INVALID_TICKS + 1);
    expect(error.fields?.[""]?.[0]).toMatch(/first 100/);
  });

  it("refuses a tick dated further ahead of the server's clock than the stream accepts, naming its ts, and publishes nothing", () => {
    const nowMs = 1_700_000_000_000;
    const body = [trade(0), { ...trade(1), ts: Date.UTC(2100, 0, 1) }];
    const error = caught(() => parseTickBatch("trades", body, 10, { nowMs, maxFutureMs: 300_000 }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.fields?.["[1].ts"]?.[0]).toMatch(/^ts 2100-01-01T00:00:00.000Z is \d+ ms ahead of the server's clock/);
    expect(parseTickBatch("trades", [{ ...trade(2), ts: nowMs + 299_000 }], 10, { nowMs, maxFutureMs: 300_000 })).toHaveLength(1);
  });

  it("applies the quote rules: one side at least, price and size together", () => {
    const error = caught(() =>
      parseTickBatch(
        "quotes",
        [
          { symbol: "IBM", ts: 1 },
          { symbol: "IBM", ts: 1, ask: 2 },
        ],
        10,
      ),
    );
    expect(Object.keys(error.fields ?? {})).toEqual(expect.arrayContaining(["[0].bid", "[1].askSize"]));
  });
});

describe("publishTicks", () => {
  it("sends each tick as JSON keyed by its symbol to the kind's topic and reports the partitions in order", async () => {
    const { ctx, sent } = fakeContext((key) => (key === "IBM" ? 4 : 1));
    const result = await publishTicks(ctx, "trades", [trade(1), trade(2, "AAPL"), trade(3)]);
    expect(result).toEqual({ accepted: 3, topic: "t.market.trades", partitions: [1, 4] });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.messages.map((m) => [m.key, JSON.parse(String(m.value)) as unknown])).toEqual([
      ["IBM", trade(1)],
      ["AAPL", trade(2, "AAPL")],
      ["IBM", trade(3)],
    ]);
  });

  it("answers 503 retriable when Kafka does not ack", async () => {
    const down = Object.assign(new Error("Connection error: connect ECONNREFUSED"), { name: "KafkaJSNumberOfRetriesExceeded" });
    const { ctx } = fakeContext(undefined, down);
    await expect(publishTicks(ctx, "trades", [trade(1)])).rejects.toMatchObject({ code: "UNAVAILABLE", status: 503, retriable: true });
  });

  it("answers 413 when the broker refuses the batch as too large", () => {
    const protocol = Object.assign(new Error("The request included a message larger than the max message size"), {
      type: "MESSAGE_TOO_LARGE",
    });
    const wrapped = Object.assign(new Error("wrapped"), { name: "KafkaJSNonRetriableError", originalError: protocol });
    expect(sendError(wrapped)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", retriable: false });
  });
});

describe("ingestTicks", () => {
  it("publishes nothing when any tick is invalid", async () => {
    const { ctx, sent } = fakeContext();
    await expect(ingestTicks(ctx, "trades", [trade(1), { ...trade(2), size: 0 }], 10)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(sent).toHaveLength(0);
  });
});
