import { describe, expect, it } from "vitest";
import { endpointList } from "./endpoints";
import { ingestEndpointList } from "./ingest-endpoints";
import { buildOpenApiDocument } from "./openapi";

type Operation = {
  operationId: string;
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  responses: Record<string, unknown>;
};

describe("OpenAPI document", () => {
  type Post = {
    operationId: string;
    description: string;
    security: unknown;
    requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
    responses: Record<string, unknown>;
  };
  const doc = buildOpenApiDocument({ maxBodyBytes: 1_048_576, maxTicks: 5000 }) as {
    openapi: string;
    paths: Record<string, { get: Operation; post: Post }>;
    components: { securitySchemes: Record<string, unknown> };
  };

  it("is OpenAPI 3.1 with one GET per query endpoint and one POST per ingest endpoint", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([...endpointList, ...ingestEndpointList].map((e) => e.path).sort());
    expect(ingestEndpointList.map((e) => e.path)).toEqual(["/ingest/trades", "/ingest/quotes", "/ingest/prices"]);
  });

  it("declares the ingest endpoints' API key, body schema from the core tick schemas, and every status they answer", () => {
    expect(doc.components.securitySchemes).toEqual({ apiKey: { type: "apiKey", in: "header", name: "x-api-key" } });
    const trades = doc.paths["/ingest/trades"]?.post;
    expect(trades?.operationId).toBe("ingest.trades");
    expect(trades?.security).toEqual([{ apiKey: [] }]);
    expect(trades?.description).toMatch(/nothing is published/);
    const body = trades?.requestBody.content["application/json"]?.schema;
    expect(body).toMatchObject({ type: "array", minItems: 1, maxItems: 5000, items: { type: "object", additionalProperties: false } });
    expect((body?.items as { required: string[] }).required.sort()).toEqual(["price", "size", "symbol", "tradeId", "ts"]);
    expect(Object.keys(trades?.responses ?? {})).toEqual(["202", "400", "401", "413", "415", "503"]);
  });

  it("derives path and query parameters, with limits, from the zod input schemas", () => {
    const candles = doc.paths["/symbols/{symbol}/candles"]?.get;
    const byName = Object.fromEntries((candles?.parameters ?? []).map((p) => [p.name, p]));
    expect(byName.symbol).toMatchObject({ in: "path", required: true });
    expect(byName.interval).toMatchObject({ in: "query", required: false, schema: { enum: ["1s", "1m", "5m", "1h", "1d"] } });
    expect(byName.limit?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 5000, default: 1000 });
    expect(Object.keys(candles?.responses ?? {})).toEqual(["200", "400", "404", "503"]);
  });

  it("documents the simulated mark and the venue, and the day summary in the venue's time", () => {
    type Schema = { properties?: Record<string, Schema>; items?: Schema; type?: string | string[]; enum?: string[] };
    const ok = (path: string) =>
      (doc.paths[path]?.get.responses["200"] as { content: Record<string, { schema: Schema }> }).content["application/json"]?.schema;
    expect(ok("/market/overview")?.properties?.rows?.items?.properties?.simulated).toMatchObject({ type: "boolean" });
    expect(ok("/symbols/{symbol}/quote")?.properties?.simulated).toMatchObject({ type: "boolean" });
    const symbol = ok("/symbols/{symbol}")?.properties;
    expect(symbol?.simulated).toMatchObject({ type: "boolean" });
    expect(symbol?.exchange?.properties?.venue?.enum).toEqual(["us-equity", "crypto", "simulator"]);
    const day = doc.paths["/symbols/{symbol}/day-summary"]?.get;
    expect(day?.operationId).toBe("symbols.day");
    expect(day?.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ["symbol", "path", true],
      ["day", "query", true],
    ]);
  });

  it("leaves 404 off endpoints that name no symbol", () => {
    expect(Object.keys(doc.paths["/market/overview"]?.get.responses ?? {})).toEqual(["200", "400", "503"]);
  });
});
