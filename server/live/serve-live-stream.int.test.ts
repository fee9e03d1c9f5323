import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { getConfig } from "../../adapters/config";
import { publishLiveUpdates } from "../../adapters/live-channel";
import { createRedis } from "../../adapters/redis";
import type { CandleUpdate } from "../../core/live-updates";
import { eventually, testLog, uniqueName } from "../../test/helpers";
import { createTestSseHub } from "../../test/sse-client";
import { EventSseClient, RawSseClient, type SseTarget } from "../../test/sse-fleet";
import { handleLiveStream } from "./serve-live-stream";
import type { SseHub, SseHubOptions } from "./sse-hub";

const config = getConfig();
const redis = createRedis(config.redis.url, "client", testLog);
const keys: string[] = [];
let opened: Array<{ hub: SseHub; server: http.Server; clients: Array<{ close(): void }> }> = [];

afterEach(async () => {
  for (const { hub, server, clients } of opened) {
    for (const client of clients) client.close();
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  opened = [];
});

afterAll(async () => {
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** A hub on its own stream key behind a real node:http server, as the web server mounts it. */
async function serve(options: Partial<SseHubOptions> = {}) {
  const key = uniqueName("test_live");
  keys.push(key);
  const hub = createTestSseHub(key, {
    clientBufferBytes: 64 * 1024,
    maxClients: 1_000,
    maxClientsPerAddress: 1_000,
    readBlockMs: 1_000,
    ...options,
  });
  const server = http.createServer((req, res) => {
    if (handleLiveStream(req, res, () => hub)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const entry = { hub, server, clients: [] as Array<{ close(): void }> };
  opened.push(entry);
  const target = (path: string, headers?: Record<string, string>): SseTarget => ({
    host: "127.0.0.1",
    port,
    path,
    ...(headers ? { headers } : {}),
  });
  const track = <T extends { close(): void }>(client: T): T => {
    entry.clients.push(client);
    return client;
  };
  return { hub, key, port, target, track };
}

/** Status, headers and JSON body of one GET. */
function getJson(
  port: number,
  path: string,
  method = "GET",
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, path, method, agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.once("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as unknown }),
      );
    });
    request.once("error", reject);
    request.end();
  });
}

const uniqueSymbol = () => `T${uniqueName("x").slice(2, 10).toUpperCase()}`;

function candle(symbol: string, windowStart: number, trades: number, isFinal: boolean): CandleUpdate {
  const price = 100 + trades / 100;
  return {
    type: "candle",
    symbol,
    interval: "1s",
    windowStart,
    open: 100,
    high: price + 1,
    low: 99,
    close: price,
    volume: 10 * trades,
    vwap: 100,
    tradeCount: trades,
    isFinal,
  };
}

/** A reader that keeps only the ids of final candles (and whether it was told to reload). */
class FinalCandleReader {
  readonly finals: string[] = [];
  lastId: string | undefined;
  ready = false;
  snapshots = 0;
  readonly client: EventSseClient;

  constructor(target: SseTarget) {
    this.client = new EventSseClient(target, ({ id, event, data }) => {
      if (event === "ready") this.ready = true;
      else if (event === "snapshot-required") this.snapshots++;
      else if (event === "candle" && data.includes('"isFinal":true')) this.finals.push(id ?? "");
      if (id !== undefined) this.lastId = id;
    });
  }

  close(): void {
    this.client.close();
  }
}

describe("GET /api/stream on node:http", () => {
  it("answers with an event stream that starts with ready, 400 naming a bad parameter, and 405 to a POST", async () => {
    const { port, target, track } = await serve();
    let ready = false;
    const client = track(new EventSseClient(target(`/api/stream?symbols=${uniqueSymbol()}`), ({ event }) => (ready ||= event === "ready")));
    await eventually(() => ready, "ready");
    expect(client.status).toBe(200);
    expect(client.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(client.headers["cache-control"]).toBe("no-cache, no-transform");
    // Written raw, ended by the connection's end: no chunked framing around each write.
    expect(client.headers["transfer-encoding"]).toBeUndefined();

    const bad = await getJson(port, "/api/stream?intervals=2m");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "invalid query: intervals", fields: { intervals: [expect.stringMatching(/2m/)] } });
    const post = await getJson(port, "/api/stream", "POST");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET");
  });

  it("answers 503 with Retry-After and a JSON body naming the limit past the per-address cap, and admits again once a connection closes", async () => {
    const { hub, port, target, track } = await serve({ maxClientsPerAddress: 3 });
    const path = `/api/stream?symbols=${uniqueSymbol()}`;
    const admitted = [1, 2, 3].map(() => track(new EventSseClient(target(path), () => undefined)));
    await eventually(() => admitted.every((c) => c.status === 200), "three admitted clients");

    const refused = await getJson(port, path);
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("10");
    expect(refused.headers["content-type"]).toBe("application/json");
    expect(refused.body).toMatchObject({
      limit: "per-address",
      max: 3,
      error: expect.stringContaining("SSE_MAX_CLIENTS_PER_ADDRESS") as unknown,
    });
    expect(hub.stats()).toMatchObject({ clients: 3, rejected: 1, rejectedPerAddress: 1 });

    admitted[0]?.close();
    await eventually(() => hub.stats().clients === 2, "the closed connection to be released");
    const again = track(new EventSseClient(target(path), () => undefined));
    await eventually(() => again.status === 200, "a new client admitted");
  });

  it("answers 503 past the global cap", async () => {
    const { port, target, track } = await serve({ maxClients: 2 });
    const path = `/api/stream?symbols=${uniqueSymbol()}`;
    const admitted = [1, 2].map(() => track(new EventSseClient(target(path), () => undefined)));
    await eventually(() => admitted.every((c) => c.status === 200), "two admitted clients");
    const refused = await getJson(port, path);
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("5");
    expect(refused.body).toMatchObject({ limit: "global", max: 2, error: expect.stringContaining("SSE_MAX_CLIENTS") as unknown });
  });

  it("of 200 clients of which 50 never read: the readers get every final candle in order and keep pace, the stalled ones are cut off", async () => {
    const { hub, key, target, track } = await serve({ stalledClientTimeoutMs: 2_000 });
    const symbols = Array.from({ length: 20 }, uniqueSymbol);
    const path = `/api/stream?symbols=${symbols.join(",")}&types=candle&intervals=1s`;
    const readers = Array.from({ length: 150 }, () => track(new FinalCandleReader(target(path))));
    const stalled = Array.from({ length: 50 }, () => track(new RawSseClient(target(path), false)));
    await eventually(() => hub.stats().clients === 200 && readers.every((r) => r.ready), "200 connected clients, the readers ready");

    // Pipelines of 5 rounds of 20 symbols × (4 provisional updates + the final one) of a new 1 s
    // window each. Each waits until every reader has it: how long that takes is the readers' pace.
    const finals: string[] = [];
    let windowStart = 1_718_000_000_000;
    const publishPipeline = async (what: string): Promise<number> => {
      const updates: CandleUpdate[] = [];
      for (let round = 0; round < 5; round++, windowStart += 1_000) {
        for (let trades = 1; trades <= 5; trades++)
          for (const symbol of symbols) updates.push(candle(symbol, windowStart, trades, trades === 5));
      }
      const startedMs = performance.now();
      const ids = await publishLiveUpdates(redis, updates, { key });
      updates.forEach((update, i) => update.isFinal && finals.push(ids[i] ?? ""));
      const lastId = ids.at(-1);
      await eventually(() => readers.every((r) => r.lastId === lastId), `${what} on every reader`, 10_000);
      return performance.now() - startedMs;
    };
    // Until the stalled clients have filled their kernel buffers and ours and stayed full past the timeout.
    const withStalled: number[] = [];
    while (hub.stats().cutOff < stalled.length) {
      expect(withStalled.length, "pipelines published before every stalled client was cut off").toBeLessThan(400);
      withStalled.push(await publishPipeline(`pipeline ${withStalled.length}`));
    }
    expect(hub.stats().clients).toBe(150);
    const alone: number[] = [];
    for (let i = 0; i < 8; i++) alone.push(await publishPipeline(`pipeline ${i} after the cut-off`));

    // Nobody else slowed down: no reader was conflated away, told to reload or cut, and the readers
    // kept the pace they have once the stalled clients are gone.
    for (const reader of readers) {
      expect(reader.client.closed).toBe(false);
      expect(reader.snapshots).toBe(0);
      expect(reader.finals).toEqual(finals);
    }
    const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[ms.length >> 1] ?? Number.NaN;
    expect(median(withStalled)).toBeLessThan(1.5 * median(alone) + 200);

    // The stalled clients, reading at last, find their streams ended.
    for (const client of stalled) client.resume();
    await Promise.all(stalled.map((client) => client.closedPromise()));
    expect(hub.stats().cutOff).toBe(50);
  });
});
