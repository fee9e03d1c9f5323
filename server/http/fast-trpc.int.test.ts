// The web server's fast tRPC path over real HTTP against a seeded keyspace: the same bytes as tRPC's
// own handler (and, inside the envelope, as the REST API's answer to the same read), batches with a
// gzip assembled from pieces, ETag/304, TRPC_MAX_BATCH_SIZE enforced, and everything it does not
// answer itself (errors, mutations, unknown paths) answered by tRPC's node adapter exactly as tRPC does.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { migrate } from "../../db/migrations";
import { testLog, uniqueName, connectTestCassandra } from "../../test/helpers";
import { seedDay } from "../../test/market-fixtures";
import { createQueryStores, getQueryContext, setQueryContext } from "../context";
import { endpointList } from "../rest/endpoints";
import { appRouter } from "../routers/app-router";
import { createFastRest } from "./fast-rest";
import { createFastTrpc } from "./fast-trpc";

const keyspace = uniqueName("test_fast_trpc");
const connect = connectTestCassandra;
const DAY = "2013-10-07";
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const DAY_END = DAY_START + 86_399_999;
const MAX_BATCH = 5;
const CANDLES_INPUT = { symbol: "FTRP", interval: "1m", from: DAY_START, to: DAY_END, limit: 500 };
const trpcPath = (path: string, input: unknown) => `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
const batchPath = (calls: Array<[string, unknown]>) =>
  `/api/trpc/${calls.map(([p]) => p).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(calls.map(([, input], i) => [i, input]))))}`;
let client: CassandraClient;
let server: http.Server;
let base: string;

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  await seedDay(client, keyspace, { symbol: "FTRP", day: DAY, startPrice: 50, prevClose: 49 });
  await seedDay(client, keyspace, { symbol: "FTSM.SIM", day: DAY, startPrice: 70, seed: 2 });
  // A fixed clock: every read below stays within one shared-read TTL, so both paths share results.
  setQueryContext({ ...createQueryStores(client, keyspace), nowMs: () => DAY_END, sharedReadTtlMs: 1_000 });
  const handlers = [createFastRest(endpointList), createFastTrpc({ maxBatchCalls: MAX_BATCH, log: testLog })];
  server = http.createServer((req, res) => {
    if (!handlers.some((handle) => handle(req, res))) res.writeHead(418).end("next");
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

/** What tRPC's own handler (the Next route's) answers to the same URL. */
function viaTrpcHandler(path: string): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost${path}`),
    router: appRouter,
    maxBatchSize: MAX_BATCH,
    createContext: () => ({ db: getQueryContext }),
  });
}

/** An error body without its stack (tRPC adds one outside production; it differs by call site). */
function withoutStack(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  const strip = (entry: { error?: { data?: { stack?: unknown } } }) => {
    delete entry.error?.data?.stack;
    return entry;
  };
  return Array.isArray(parsed) ? parsed.map(strip) : strip(parsed as { error?: { data?: { stack?: unknown } } });
}

describe("fast tRPC path", () => {
  it("answers a query with tRPC's bytes, which wrap the REST API's bytes of the same read", async () => {
    const path = trpcPath("candles.range", CANDLES_INPUT);
    const fast = await request(path);
    const reference = await viaTrpcHandler(path);
    expect(fast.status).toBe(200);
    expect(fast.headers["content-type"]).toBe("application/json");
    expect(fast.body.toString("utf8")).toBe(await reference.text());
    const rest = await request(`/api/v1/symbols/FTRP/candles?interval=1m&from=${DAY_START}&to=${DAY_END}&limit=500`);
    expect(fast.body.toString("utf8")).toBe(`{"result":{"data":${rest.body.toString("utf8")}}}`);
    for (const [procedure, input, restPath] of [
      ["market.overview", { limit: 20 }, "/api/v1/market/overview?limit=20"],
      ["quotes.latest", { symbol: "FTRP" }, "/api/v1/symbols/FTRP/quote"],
      ["symbols.get", { symbol: "FTSM.SIM" }, "/api/v1/symbols/FTSM.SIM"],
    ] as const) {
      const body = (await request(trpcPath(procedure, input))).body.toString("utf8");
      expect(body, procedure).toBe(await (await viaTrpcHandler(trpcPath(procedure, input))).text());
      expect(body, procedure).toBe(`{"result":{"data":${(await request(restPath)).body.toString("utf8")}}}`);
    }
  });

  it("marks simulated symbols in the symbol, quote and overview answers", async () => {
    const data = async (procedure: string, input: unknown) =>
      (JSON.parse((await request(trpcPath(procedure, input))).body.toString("utf8")) as { result: { data: Record<string, unknown> } })
        .result.data;
    expect(await data("symbols.get", { symbol: "ftsm.sim" })).toMatchObject({
      symbol: "FTSM.SIM",
      simulated: true,
      calibratedOn: "FTSM",
      exchange: { venue: "simulator", timeZone: "UTC" },
    });
    expect(await data("symbols.get", { symbol: "FTRP" })).toMatchObject({
      simulated: false,
      calibratedOn: null,
      exchange: { venue: "us-equity", timeZone: "America/New_York", regularSession: { open: "09:30", close: "16:00" } },
    });
    expect(await data("quotes.latest", { symbol: "FTSM.SIM" })).toMatchObject({ simulated: true });
    const rows = (await data("market.overview", {})).rows as Array<{ symbol: string; simulated: boolean }>;
    expect(rows.map((r) => [r.symbol, r.simulated])).toEqual([
      ["FTRP", false],
      ["FTSM.SIM", true],
    ]);
  });

  it("answers a batch as tRPC does, gzipped from pieces when the client accepts gzip", async () => {
    const path = batchPath([
      ["candles.range", CANDLES_INPUT],
      ["quotes.latest", { symbol: "FTRP" }],
      ["trades.recent", { symbol: "FTRP", limit: 40 }],
      ["market.overview", undefined],
    ]);
    const identity = await request(path);
    expect(identity.status).toBe(200);
    expect(identity.body.toString("utf8")).toBe(await (await viaTrpcHandler(path)).text());
    const gzip = await request(path, { "accept-encoding": "gzip, deflate, br" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(Number(gzip.headers["content-length"])).toBe(gzip.body.length);
    expect(gzip.body.length).toBeLessThan(identity.body.length / 3);
    expect((await promisify(zlib.gunzip)(gzip.body)).equals(identity.body)).toBe(true);
    const br = await request(trpcPath("candles.range", CANDLES_INPUT), { "accept-encoding": "br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect((await promisify(zlib.brotliDecompress)(br.body)).toString("utf8")).toBe(
      (await request(trpcPath("candles.range", CANDLES_INPUT))).body.toString("utf8"),
    );
  });

  it("revalidates with an ETag: 304 while the reads are the same", async () => {
    for (const path of [
      trpcPath("candles.range", CANDLES_INPUT),
      batchPath([
        ["quotes.latest", { symbol: "FTRP" }],
        ["candles.range", CANDLES_INPUT],
      ]),
    ]) {
      const first = await request(path, { "accept-encoding": "gzip" });
      expect(first.headers["cache-control"]).toBe("no-cache");
      expect(first.headers.vary).toBe("trpc-accept, accept, Accept-Encoding");
      const again = await request(path, { "accept-encoding": "gzip", "if-none-match": first.headers.etag ?? "" });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
  });

  it("refuses a batch over TRPC_MAX_BATCH_SIZE with a 400 naming the limit, before reading anything", async () => {
    const calls = Array.from({ length: MAX_BATCH + 1 }, (): [string, unknown] => ["quotes.latest", { symbol: "FTRP" }]);
    const answer = await request(batchPath(calls));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.toString("utf8"))).toMatchObject({
      error: {
        code: -32600,
        message: expect.stringContaining(`at most ${MAX_BATCH} calls (TRPC_MAX_BATCH_SIZE)`) as unknown,
        data: { httpStatus: 400, appCode: "BAD_REQUEST" },
      },
    });
    expect((await request(batchPath(calls.slice(1)))).status).toBe(200);
  });

  it("leaves errors, mutations and unknown paths to tRPC's adapter, which answers as tRPC's handler does", async () => {
    for (const [path, status] of [
      [trpcPath("candles.range", { ...CANDLES_INPUT, from: DAY_END, to: DAY_START }), 400],
      [trpcPath("candles.range", { ...CANDLES_INPUT, symbol: "NOPE" }), 404],
      [
        batchPath([
          ["quotes.latest", { symbol: "FTRP" }],
          ["quotes.latest", { symbol: "NOPE" }],
        ]),
        207,
      ],
      [trpcPath("ingest.trades", []), 405],
      [trpcPath("nothing.here", {}), 404],
      ["/api/trpc/candles.range?input=%7Bnot-json", 400],
    ] as const) {
      const fast = await request(path);
      const reference = await viaTrpcHandler(path);
      expect(fast.status, path).toBe(status);
      expect(reference.status, path).toBe(status);
      expect(withoutStack(fast.body.toString("utf8")), path).toEqual(withoutStack(await reference.text()));
    }
  });

  it("leaves POSTs and other paths to Next", async () => {
    expect((await request("/api/trpc/ingest.trades", {}, "POST")).status).toBe(418);
    expect((await request("/api/trpcx/candles.range")).status).toBe(418);
  });
});
