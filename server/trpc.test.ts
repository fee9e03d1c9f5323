import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { appRouter } from "./routers/app-router";

function call(path: string, input: unknown, db: () => Promise<never>): Promise<Response> {
  const url = `http://localhost/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  return fetchRequestHandler({ endpoint: "/api/trpc", req: new Request(url), router: appRouter, createContext: () => ({ db }) });
}

const neverConnects = () => Promise.reject(new Error("the database must not be touched"));

describe("tRPC over HTTP (no servers)", () => {
  it("answers a bad input with 400 and field errors before touching the database", async () => {
    const response = await call("candles.range", { symbol: "ibm", interval: "2m", limit: 0 }, neverConnects);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { data: { appCode: string; fields: Record<string, string[]> } } };
    expect(body.error.data.appCode).toBe("BAD_REQUEST");
    expect(Object.keys(body.error.data.fields).sort()).toEqual(["interval", "limit"]);
  });

  it("gives an unavailable database the 503 the REST mirror gives it", async () => {
    const down = () => Promise.reject(new AppError("UNAVAILABLE", { message: "the market database is unavailable" }));
    const response = await call("symbols.get", { symbol: "IBM" }, down);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { message: string; data: { appCode: string; retriable: boolean } } };
    expect(body.error.data).toMatchObject({ appCode: "UNAVAILABLE", retriable: true });
  });
});
