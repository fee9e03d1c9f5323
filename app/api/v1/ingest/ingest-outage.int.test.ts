// The ingest API while Kafka cannot be reached: 503 with Retry-After, one request at a time tries
// Kafka while the others are refused at once, bad input stays a 400, and the first request after
// Kafka answers again is accepted. The outage is a TCP proxy in front of the real broker's bootstrap
// address (new connections reset), so the shared Kafka keeps running.
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_INGEST_API_KEY, getConfig } from "../../../../adapters/config";
import { createKafka } from "../../../../adapters/kafka";
import { createIngestContext, setIngestContext, type IngestContext } from "../../../../server/ingest/ingest-context";
import { INGEST_RETRY_AFTER_S } from "../../../../server/ingest/kafka-gate";
import { testLog, uniqueName } from "../../../../test/helpers";
import { startOutageProxy, type OutageProxy } from "../../../../test/outage-proxy";
import { POST as postTrades } from "./trades/route";

const config = getConfig();
const prefix = `${uniqueName("test-ingest-outage")}.`;
const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
let seq = 0;
const trade = () => ({ symbol: "IBM", ts: T0 + seq, price: 100, size: 10, tradeId: `o${seq++}` });

let proxy: OutageProxy;
let ingest: IngestContext;
let admin: Admin;

async function post(
  body: unknown,
): Promise<{ status: number; retryAfter: string | null; json: { error?: { code: string; retriable: boolean; message: string } } }> {
  const init: RequestInit & { duplex: "half" } = {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-api-key": DEV_INGEST_API_KEY },
    duplex: "half",
  };
  const response = await postTrades(new Request("http://localhost/api/v1/ingest/trades", init));
  return { status: response.status, retryAfter: response.headers.get("retry-after"), json: (await response.json()) as never };
}

beforeAll(async () => {
  proxy = await startOutageProxy(config.kafka.brokers[0] ?? "127.0.0.1:9092");
  ingest = createIngestContext({
    brokers: [proxy.address],
    clientId: "ingest-outage-test",
    topicPrefix: prefix,
    partitions: 1,
    replicationFactor: 1,
    log: testLog,
  });
  setIngestContext(ingest);
  admin = createKafka({ brokers: config.kafka.brokers, clientId: "ingest-outage-test", log: testLog }).admin();
  await admin.connect();
});

afterAll(async () => {
  setIngestContext(undefined);
  await ingest?.close();
  await admin?.deleteTopics({ topics: Object.values(ingest.topics) }).catch(() => undefined);
  await admin?.disconnect();
  await proxy?.close();
});

describe("POST /api/v1/ingest/trades while Kafka is unreachable", () => {
  it("answers 503 with Retry-After, refuses the requests behind the one trying at once, and accepts again once Kafka answers", async () => {
    proxy.down();
    const first = await post([trade()]);
    expect(first.status).toBe(503);
    expect(first.retryAfter).toBe(String(INGEST_RETRY_AFTER_S));
    expect(first.json.error).toMatchObject({ code: "UNAVAILABLE", retriable: true });

    // One request tries Kafka again; the five behind it are answered before it is.
    const settled: string[] = [];
    const probe = post([trade()]).then((r) => {
      settled.push("probe");
      return r;
    });
    const others = await Promise.all(
      Array.from({ length: 5 }, () =>
        post([trade()]).then((r) => {
          settled.push("other");
          return r;
        }),
      ),
    );
    expect(others.map((r) => [r.status, r.retryAfter])).toEqual(Array.from({ length: 5 }, () => [503, String(INGEST_RETRY_AFTER_S)]));
    expect(others[0]?.json.error?.message).toMatch(/Kafka has been unavailable for \d+ s; nothing was published/);
    expect((await probe).status).toBe(503);
    expect(settled).toEqual(["other", "other", "other", "other", "other", "probe"]);

    // Bad input is the client's fault whatever Kafka's state.
    expect((await post([{ symbol: "IBM" }])).status).toBe(400);

    proxy.up();
    const back = await post([trade()]);
    expect(back.status, JSON.stringify(back.json)).toBe(202);
    // Nothing refused was published: the one accepted trade is all the topic holds.
    const offsets = await admin.fetchTopicOffsets(ingest.topics.trades);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1);
  });
});
