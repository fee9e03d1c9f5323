import { describe, expect, it } from "vitest";
import { endpointList } from "./endpoints";
import { buildOpenApiDocument } from "./openapi";

type Operation = { operationId: string; parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[]; responses: Record<string, unknown> };

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, { get: Operation }> };

  it("is OpenAPI 3.1 with one GET per endpoint", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(endpointList.map((e) => e.path).sort());
  });

  it("derives path and query parameters, with limits, from the zod input schemas", () => {
    const candles = doc.paths["/symbols/{symbol}/candles"]?.get;
    const byName = Object.fromEntries((candles?.parameters ?? []).map((p) => [p.name, p]));
    expect(byName.symbol).toMatchObject({ in: "path", required: true });
    expect(byName.interval).toMatchObject({ in: "query", required: false, schema: { enum: ["1s", "1m", "5m", "1h", "1d"] } });
    expect(byName.limit?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 5000, default: 1000 });
    expect(Object.keys(candles?.responses ?? {})).toEqual(["200", "400", "404", "503"]);
  });

  it("leaves 404 off endpoints that name no symbol", () => {
    expect(Object.keys(doc.paths["/market/overview"]?.get.responses ?? {})).toEqual(["200", "400", "503"]);
  });
});
