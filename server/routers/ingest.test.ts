import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Message, RecordMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { DEV_INGEST_API_KEY } from "../../adapters/config";
import { topicNames } from "../../adapters/kafka";
import { limitRequestBody } from "../http/read-body";
import type { IngestContext } from "../ingest/ingest-context";
import { appRouter } from "./app-router";

const trade = (i: number) => ({ symbol: "IBM", ts: 1_700_000_000_000 + i, price: 100, size: 1, tradeId: `t${i}` });

function recordingContext() {
  const sent: Message[][] = [];
  const ingest: IngestContext = {
    topics: topicNames("unit."),
    send: (topic, messages) => {
      sent.push(messages);
      return Promise.resolve([{ topicName: topic, partition: 2, errorCode: 0 } satisfies RecordMetadata]);
    },
    close: () => Promise.resolve(),
  };
  return { ingest, sent };
}

const neverConnects = () => Promise.reject(new Error("the database must not be touched"));

type TrpcErrorJson = {
  error: { message: string; data: { httpStatus: number; appCode: string; retriable: boolean; fields: Record<string, string[]> | null } };
};

async function postMutation(
  path: string,
  body: BodyInit,
  headers: Record<string, string>,
  ingest: IngestContext,
  maxBodyBytes = 1_048_576,
): Promise<Response> {
  const init: RequestInit & { duplex: "half" } = {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
    duplex: "half",
  };
  const request = limitRequestBody(
    new Request(`http://localhost/api/trpc/${path}`, init),
    maxBodyBytes,
    (e) => new TRPCError({ code: e.trpcCode, message: e.message, cause: e }),
  );
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => ({ db: neverConnects, headers: request.headers, ingest }),
  });
}

describe("tRPC ingest over HTTP (no servers)", () => {
  it("answers 401 without a key, before reading the input or touching Kafka", async () => {
    const { ingest, sent } = recordingContext();
    const response = await postMutation("ingest.trades", JSON.stringify([trade(1)]), {}, ingest);
    expect(response.status).toBe(401);
    const body = (await response.json()) as TrpcErrorJson;
    expect(body.error.data).toMatchObject({ appCode: "UNAUTHORIZED", retriable: false });
    expect(sent).toHaveLength(0);
  });

  it("answers 400 with `[index].field` errors and publishes nothing from the batch", async () => {
    const { ingest, sent } = recordingContext();
    const response = await postMutation(
      "ingest.trades",
      JSON.stringify([trade(1), { ...trade(2), price: -1 }]),
      { "x-api-key": DEV_INGEST_API_KEY },
      ingest,
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as TrpcErrorJson;
    expect(body.error.data).toMatchObject({ appCode: "BAD_REQUEST", fields: { "[1].price": [expect.any(String)] } });
    expect(sent).toHaveLength(0);
  });

  it("answers 413 for a body over the limit, as REST does", async () => {
    const { ingest, sent } = recordingContext();
    const big = JSON.stringify(Array.from({ length: 200 }, (_, i) => trade(i)));
    const response = await postMutation("ingest.trades", big, { "x-api-key": DEV_INGEST_API_KEY }, ingest, 4096);
    expect(response.status).toBe(413);
    expect(((await response.json()) as TrpcErrorJson).error.data.appCode).toBe("PAYLOAD_TOO_LARGE");
    expect(sent).toHaveLength(0);
  });

  it("publishes a valid batch and returns what Kafka acked", async () => {
    const { ingest, sent } = recordingContext();
    const response = await postMutation("ingest.trades", JSON.stringify([trade(1), trade(2)]), { "x-api-key": DEV_INGEST_API_KEY }, ingest);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: { data: { accepted: 2, topic: "unit.market.trades", partitions: [2] } } });
    expect(sent[0]?.map((m) => m.key)).toEqual(["IBM", "IBM"]);
  });
});
