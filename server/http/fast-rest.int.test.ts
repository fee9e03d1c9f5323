// The web server's fast REST path over real HTTP against a seeded keyspace: the same JSON as the
// Next route handlers, compression by Accept-Encoding, ETag/304, the shared-read freshness bound,
// and a 400 naming the field for malformed percent-encoding.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { candleBucket } from "../../core/intervals";
import { migrate } from "../../db/migrations";
import { uniqueName, connectTestCassandra } from "../../test/helpers";
import { seedDay, type SeededDay } from "../../test/market-fixtures";
import { createQueryStores, setQueryContext } from "../context";
import { endpointList, endpoints } from "../rest/endpoints";
import { restGet } from "../rest/handler";
import { createFastRest } from "./fast-rest";

const keyspace = uniqueName("test_fast_rest");
const connect = connectTestCassandra;
const DAY = "2013-10-07";
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const DAY_END = DAY_START + 86_399_999;
const TTL_MS = 1_000;
const CANDLES = `/api/v1/symbols/FRST/candles?interval=1m&from=${DAY_START}&to=${DAY_END}&limit=500`;
const clock = { now: DAY_END };
let client: CassandraClient;
let seeded: SeededDay;
let server: http.Server;
let base: string;

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  seeded = await seedDay(client, keyspace, { symbol: "FRST", day: DAY, startPrice: 50, prevClose: 49 });
  await seedDay(client, keyspace, { symbol: "SCND", day: DAY, startPrice: 70, prevClose: 71, seed: 2 });
  setQueryContext({ ...createQueryStores(client, keyspace), nowMs: () => clock.now, sharedReadTtlMs: TTL_MS });
  const fast = createFastRest(endpointList);
  // What the web server does: the fast path first, anything else to "Next" (here a 418 marker).
  server = http.createServer((req, res) => {
    if (!fast(req, res)) res.writeHead(418).end("next");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  setQueryContext(undefined);
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end();
  });
}

/** The Next route handler's answer to the same URL. */
async function viaRouteHandler(path: string, params?: Record<string, string>): Promise<Response> {
  const endpoint = path.startsWith("/api/v1/market/overview") ? endpoints["market.overview"] : endpoints["candles.range"];
  return restGet(endpoint)(new Request(`http://localhost${path}`), { params: Promise.resolve(params) });
}

describe("fast REST path", () => {
  it("answers with exactly the JSON bytes of the Next route handlers", async () => {
    for (const [path, params] of [
      [CANDLES, { symbol: "FRST" }],
      ["/api/v1/market/overview?limit=20", undefined],
    ] as const) {
      const fast = await request(path);
      const route = await viaRouteHandler(path, params);
      expect(fast.status).toBe(200);
      expect(fast.headers["content-type"]).toBe("application/json");
      expect(fast.body.toString("utf8")).toBe(await route.text());
      expect(fast.headers.etag).toBe(route.headers.get("etag"));
    }
    const candles = JSON.parse((await request(CANDLES)).body.toString("utf8")) as { candles: unknown[] };
    expect(candles.candles).toHaveLength(seeded.candles.get("1m")?.length ?? -1);
  });

  it("compresses as Accept-Encoding asks, says so with Vary, and decompresses to the same bytes", async () => {
    const identity = await request(CANDLES);
    expect(identity.headers["content-encoding"]).toBeUndefined();
    expect(identity.headers.vary).toBe("Accept-Encoding");
    const gzip = await request(CANDLES, { "accept-encoding": "gzip, deflate" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gzip.headers.vary).toBe("Accept-Encoding");
    expect(Number(gzip.headers["content-length"])).toBe(gzip.body.length);
    expect((await promisify(zlib.gunzip)(gzip.body)).equals(identity.body)).toBe(true);
    const br = await request(CANDLES, { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect((await promisify(zlib.brotliDecompress)(br.body)).equals(identity.body)).toBe(true);
    const head = await request(CANDLES, { "accept-encoding": "gzip" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers["content-length"]).toBe(gzip.headers["content-length"]);
  });

  it("answers 304 without a body to the current ETag, and 200 to an old one", async () => {
    const first = await request(CANDLES, { "accept-encoding": "gzip" });
    const etag = first.headers.etag ?? "";
    expect(first.headers["cache-control"]).toBe("no-cache");
    const again = await request(CANDLES, { "accept-encoding": "gzip", "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect((await request(CANDLES, { "if-none-match": 'W/"stale"' })).status).toBe(200);
    // The route handler revalidates the same way.
    expect(
      (
        await restGet(endpoints["candles.range"])(new Request(`http://localhost${CANDLES}`, { headers: { "if-none-match": etag } }), {
          params: Promise.resolve({ symbol: "FRST" }),
        })
      ).status,
    ).toBe(304);
  });

  it("serves a changed candle once the shared read's TTL has passed, never later", async () => {
    clock.now += 10 * TTL_MS;
    const before = await request(CANDLES);
    const newest = (JSON.parse(before.body.toString("utf8")) as { candles: Array<{ windowStart: number; close: number }> }).candles[0];
    if (!newest) throw new Error("no candles");
    await client.execute(
      `UPDATE ${keyspace}.candles SET close = ? WHERE symbol = ? AND interval = ? AND bucket = ? AND window_start = ?`,
      [newest.close + 1, "FRST", "1m", candleBucket("1m", newest.windowStart), new Date(newest.windowStart)],
      { prepare: true },
    );
    const closeOf = async () =>
      (JSON.parse((await request(CANDLES)).body.toString("utf8")) as { candles: Array<{ close: number }> }).candles[0]?.close;
    // Within half the TTL the shared read's result stands; past it a refresh starts in the
    // background and may show the change early; at the TTL it must show it.
    clock.now += TTL_MS / 2 - 1;
    expect(await closeOf()).toBe(newest.close);
    clock.now += TTL_MS / 2 + 1;
    expect(await closeOf()).toBe(newest.close + 1);
    const after = await request(CANDLES, { "if-none-match": before.headers.etag ?? "" });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it("serves 1d candles, which the batch rollup writes", async () => {
    await client.execute(
      `INSERT INTO ${keyspace}.candles (symbol, interval, bucket, window_start, open, high, low, close, volume, vwap, trade_count, is_final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ["FRST", "1d", candleBucket("1d", DAY_START), new Date(DAY_START), 50, 52, 49, 51, 12_345, 50.5, 321, true],
      { prepare: true },
    );
    const answer = await request(`/api/v1/symbols/FRST/candles?interval=1d&to=${DAY_END}`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString("utf8"))).toMatchObject({
      interval: "1d",
      candles: [
        { windowStart: DAY_START, open: 50, high: 52, low: 49, close: 51, volume: 12_345, vwap: 50.5, tradeCount: 321, isFinal: true },
      ],
    });
  });

  it("answers malformed percent-encoding in the path with a 400 naming the field", async () => {
    for (const path of ["/api/v1/symbols/%E0%A4%A/candles", "/api/v1/symbols/AB%ZZ/trades", "/api/v1/symbols/%E0%A4%A"]) {
      const answer = await request(path);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString("utf8"))).toEqual({
        error: { code: "BAD_REQUEST", message: "invalid symbol", retriable: false, fields: { symbol: ["malformed percent-encoding"] } },
      });
    }
    // Should Next ever pass such a value through, its route handler says the same.
    const route = await restGet(endpoints["candles.range"])(new Request("http://localhost/api/v1/symbols/x/candles"), {
      params: Promise.resolve({ symbol: "%E0%A4%A" }),
    });
    expect(route.status).toBe(400);
    expect(((await route.json()) as { error: { fields: Record<string, string[]> } }).error.fields).toEqual({
      symbol: ["malformed percent-encoding"],
    });
  });

  it("gives errors the route handlers' status and body", async () => {
    for (const [path, params] of [
      ["/api/v1/symbols/NOPE/candles", { symbol: "NOPE" }],
      [`/api/v1/symbols/FRST/candles?interval=2m`, { symbol: "FRST" }],
    ] as const) {
      const fast = await request(path);
      const route = await viaRouteHandler(path, params);
      expect(fast.status).toBe(route.status);
      expect(fast.headers["cache-control"]).toBe("no-store");
      expect(fast.body.toString("utf8")).toBe(await route.text());
    }
  });

  it("leaves other methods and paths to Next", async () => {
    expect((await request("/api/v1/symbols/FRST/candles", {}, "POST")).status).toBe(418);
    expect((await request("/api/v1/symbols/FRST/candles/")).status).toBe(418);
    expect((await request("/api/trpc/candles.range")).status).toBe(418);
    expect((await request("/symbols/FRST")).status).toBe(418);
  });
});
