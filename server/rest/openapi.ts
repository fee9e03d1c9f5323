// OpenAPI 3.1 document of /api/v1, generated from the endpoint list and its zod schemas
// (z.toJSONSchema emits JSON Schema 2020-12, the dialect OpenAPI 3.1 uses).
import { z } from "zod";
import { errorBodySchema } from "../errors";
import { endpointList, type Endpoint } from "./endpoints";

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; description?: string };

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

function parameters(endpoint: Endpoint): Record<string, unknown>[] {
  const schema = jsonSchema(endpoint.input, "input");
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const inPath = endpoint.pathParams.includes(name);
    const { description, ...propertySchema } = property;
    return {
      name,
      in: inPath ? "path" : "query",
      required: inPath || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpointList) {
    paths[endpoint.path] = {
      get: {
        operationId: endpoint.id,
        summary: endpoint.summary,
        tags: [endpoint.tag],
        parameters: parameters(endpoint),
        responses: {
          "200": { description: "OK", content: { "application/json": { schema: jsonSchema(endpoint.output, "output") } } },
          "400": errorResponse("Invalid input; `error.fields` names each bad field"),
          ...(endpoint.notFound ? { "404": errorResponse("Unknown symbol") } : {}),
          "503": errorResponse("The market database is unavailable (retriable)"),
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "tickstream market-data API",
      version: "1.0.0",
      description: "Read-only market data: symbols, candles, trades, quotes, market overview, alerts. Times are epoch milliseconds UTC.",
    },
    servers: [{ url: "/api/v1" }],
    paths,
    components: { schemas: { Error: jsonSchema(errorBodySchema, "output") } },
  };
}

let cached: Record<string, unknown> | undefined;

/** The document, built once per process. */
export function getOpenApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument();
  return cached;
}
