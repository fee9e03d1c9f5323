// The REST mirror through its real route handlers (Request in, Response out) over a seeded keyspace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../../adapters/cassandra";
import { migrate } from "../../../db/migrations";
import { createQueryStores, setQueryContext } from "../../../server/context";
import type { RouteContext } from "../../../server/rest/handler";
import { uniqueName, connectTestCassandra } from "../../../test/helpers";
import { seedDay, type SeededDay } from "../../../test/market-fixtures";
import { GET as getAlerts } from "./alerts/route";
import { GET as getMovers } from "./market/movers/route";
import { GET as getOverview } from "./market/overview/route";
import { GET as getOpenApi } from "./openapi.json/route";
import { GET as getSymbol } from "./symbols/[symbol]/route";
import { GET as getCandles } from "./symbols/[symbol]/candles/route";
import { GET as getQuote } from "./symbols/[symbol]/quote/route";
import { GET as getTrades } from "./symbols/[symbol]/trades/route";
import { GET as listSymbols } from "./symbols/route";

const keyspace = uniqueName("test_rest");
const connect = connectTestCassandra;
const DAY = "2013-10-07";
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const DAY_END = DAY_START + 86_399_999;
let client: CassandraClient;
let seeded: SeededDay;

beforeAll(async () => {
  await migrate(connect, keyspace, { class: "SimpleStrategy", replication_factor: 1 });
  client = await connect();
  seeded = await seedDay(client, keyspace, { symbol: "RSTA", day: DAY, startPrice: 20, prevClose: 21 });
  setQueryContext({ ...createQueryStores(client, keyspace), nowMs: () => DAY_END });
});

afterAll(async () => {
  setQueryContext(undefined);
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
});

type Handler = (request: Request, context: RouteContext) => Promise<Response>;
type ErrorJson = { error: { code: string; message: string; fields?: Record<string, string[]> } };

// Next gives a route without dynamic segments no params at all: pass undefined, as it does.
async function get<T>(handler: Handler, path: string, params?: Record<string, string>): Promise<{ status: number; body: T }> {
  const response = await handler(new Request(`http://localhost/api/v1${path}`), { params: Promise.resolve(params) });
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  return { status: response.status, body: (await response.json()) as T };
}

async function expectFieldError(handler: Handler, path: string, params: Record<string, string>, field: string): Promise<void> {
  const { status, body } = await get<ErrorJson>(handler, path, params);
  expect(status).toBe(400);
  expect(body.error.code).toBe("BAD_REQUEST");
  expect(Object.keys(body.error.fields ?? {})).toContain(field);
}

async function expectNotFound(handler: Handler, path: string, params: Record<string, string>): Promise<void> {
  const { status, body } = await get<ErrorJson>(handler, path, params);
  expect(status).toBe(404);
  expect(body.error).toMatchObject({ code: "NOT_FOUND", message: "unknown symbol NOPE" });
}

describe("GET /api/v1/symbols", () => {
  it("lists and searches symbols", async () => {
    const { status, body } = await get<{ symbols: { symbol: string }[]; total: number }>(listSymbols, "/symbols?search=rs");
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 1, symbols: [{ symbol: "RSTA" }] });
  });
  it("refuses a bad limit and a too long search", async () => {
    await expectFieldError(listSymbols, "/symbols?limit=0", {}, "limit");
    await expectFieldError(listSymbols, `/symbols?search=${"X".repeat(40)}`, {}, "search");
  });
});

describe("GET /api/v1/symbols/{symbol}", () => {
  it("returns the symbol with its latest state", async () => {
    const { status, body } = await get<{ symbol: string; latest: { last: number } }>(getSymbol, "/symbols/rsta", { symbol: "rsta" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ symbol: "RSTA", latest: { last: seeded.last.price } });
  });
  it("400s a malformed symbol and 404s an unknown one", async () => {
    await expectFieldError(getSymbol, "/symbols/b%20d", { symbol: "b%20d" }, "symbol");
    await expectNotFound(getSymbol, "/symbols/NOPE", { symbol: "NOPE" });
  });
});

describe("GET /api/v1/symbols/{symbol}/candles", () => {
  const path = (query: string) => `/symbols/RSTA/candles?${query}`;
  it("returns a page of candles newest first with a cursor to the next", async () => {
    const { status, body } = await get<{ candles: { windowStart: number }[]; nextCursor: number | null }>(
      getCandles,
      path(`interval=5m&from=${DAY_START}&to=${DAY_END}&limit=50`),
      { symbol: "RSTA" },
    );
    expect(status).toBe(200);
    expect(body.candles).toHaveLength(50);
    expect(body.candles[0]?.windowStart).toBeGreaterThan(body.candles[1]?.windowStart ?? Infinity);
    const older = await get<{ candles: unknown[]; nextCursor: number | null }>(
      getCandles,
      path(`interval=5m&from=${DAY_START}&to=${DAY_END}&limit=50&cursor=${body.nextCursor}`),
      { symbol: "RSTA" },
    );
    expect(older.body.candles).toHaveLength(28);
    expect(older.body.nextCursor).toBeNull();
  });
  it("names each bad field", async () => {
    const params = { symbol: "RSTA" };
    await expectFieldError(getCandles, path("interval=2m"), params, "interval");
    await expectFieldError(getCandles, path("from=abc"), params, "from");
    await expectFieldError(getCandles, path("from=2000&to=1000"), params, "from");
    await expectFieldError(getCandles, path(`interval=1s&from=0&to=${3 * 86_400_000}`), params, "to");
    await expectFieldError(getCandles, path("limit=5001"), params, "limit");
    await expectFieldError(getCandles, path("cursor=-1"), params, "cursor");
  });
  it("404s an unknown symbol", async () => {
    await expectNotFound(getCandles, `/symbols/NOPE/candles?from=0&to=1000`, { symbol: "NOPE" });
  });
});

describe("GET /api/v1/symbols/{symbol}/trades", () => {
  it("returns recent trades and pages by cursor", async () => {
    const first = await get<{ trades: { tradeId: string }[]; nextCursor: string }>(getTrades, "/symbols/RSTA/trades?limit=3", {
      symbol: "RSTA",
    });
    expect(first.status).toBe(200);
    expect(first.body.trades.map((t) => t.tradeId)).toEqual(["1560", "1559", "1558"]);
    const next = await get<{ trades: { tradeId: string }[] }>(
      getTrades,
      `/symbols/RSTA/trades?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      { symbol: "RSTA" },
    );
    expect(next.body.trades.map((t) => t.tradeId)).toEqual(["1557", "1556"]);
  });
  it("names a bad limit or cursor and 404s an unknown symbol", async () => {
    await expectFieldError(getTrades, "/symbols/RSTA/trades?limit=501", { symbol: "RSTA" }, "limit");
    await expectFieldError(getTrades, "/symbols/RSTA/trades?cursor=yesterday", { symbol: "RSTA" }, "cursor");
    await expectNotFound(getTrades, "/symbols/NOPE/trades", { symbol: "NOPE" });
  });
});

describe("GET /api/v1/symbols/{symbol}/quote", () => {
  it("returns bid, ask and spread", async () => {
    const { status, body } = await get<{ bid: number; ask: number; spread: number }>(getQuote, "/symbols/RSTA/quote", { symbol: "RSTA" });
    expect(status).toBe(200);
    expect(body.spread).toBeCloseTo(body.ask - body.bid, 9);
  });
  it("400s a malformed symbol and 404s an unknown one", async () => {
    await expectFieldError(getQuote, "/symbols/1BM/quote", { symbol: "1BM" }, "symbol");
    await expectNotFound(getQuote, "/symbols/NOPE/quote", { symbol: "NOPE" });
  });
});

describe("GET /api/v1/market/overview and /market/movers", () => {
  it("returns every symbol with a sparkline of the asked length", async () => {
    const { status, body } = await get<{ rows: { symbol: string; sparkline: number[]; changePct: number }[] }>(
      getOverview,
      "/market/overview?sparklinePoints=10",
    );
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0]?.sparkline).toHaveLength(10);
    expect(body.rows[0]?.changePct).toBeCloseTo(((seeded.last.price - 21) / 21) * 100, 9);
  });
  it("refuses too long a sparkline", async () => {
    await expectFieldError(getOverview, "/market/overview?sparklinePoints=1000", {}, "sparklinePoints");
  });
  it("ranks movers and refuses an unknown ranking", async () => {
    const { status, body } = await get<{ by: string; movers: { symbol: string }[] }>(getMovers, "/market/movers?by=volume");
    expect(status).toBe(200);
    expect(body).toMatchObject({ by: "volume", movers: [{ symbol: "RSTA" }] });
    await expectFieldError(getMovers, "/market/movers?by=price", {}, "by");
    await expectFieldError(getMovers, "/market/movers?limit=101", {}, "limit");
  });
});

describe("GET /api/v1/alerts", () => {
  it("returns recent alerts", async () => {
    const { status, body } = await get<{ alerts: { symbol: string }[] }>(getAlerts, "/alerts?symbol=rsta");
    expect(status).toBe(200);
    expect(body.alerts.map((a) => a.symbol)).toEqual(["RSTA"]);
  });
  it("names a malformed day or symbol", async () => {
    await expectFieldError(getAlerts, "/alerts?day=07-10-2013", {}, "day");
    await expectFieldError(getAlerts, "/alerts?symbol=%24%24", {}, "symbol");
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("serves the OpenAPI 3.1 document", async () => {
    const response = getOpenApi();
    const body = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toContain("/symbols/{symbol}/candles");
  });
});
