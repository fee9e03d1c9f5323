// OpenAPI 3.1 document of /api/v1, generated from the endpoint list and its zod schemas
// (z.toJSONSchema emits JSON Schema 2020-12, the dialect OpenAPI 3.1 uses).
import { z } from "zod";
import { getConfig, type IngestSettings } from "../../adapters/config";
import { errorBodySchema } from "../errors";
import { API_KEY_HEADER } from "../ingest/api-key";
import { ingestResultSchema, MAX_REPORTED_INVALID_TICKS, tickBatchSchema } from "../ingest/ingest-ticks";
import { endpointList, type Endpoint } from "./endpoints";
import { ingestEndpointList, type IngestEndpoint } from "./ingest-endpoints";

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

function ingestOperation(endpoint: IngestEndpoint, limits: Pick<IngestSettings, "maxBodyBytes" | "maxTicks">): Record<string, unknown> {
  const { kind } = endpoint;
  return {
    operationId: endpoint.id,
    summary: endpoint.summary,
    description: [
      `A JSON array of 1 to ${limits.maxTicks} ${kind}, at most ${limits.maxBodyBytes} bytes, published to the ${kind} topic keyed by symbol.`,
      "All or nothing: every element is validated first, and if any is invalid the answer is 400 with field errors named",
      `\`[index].field\` (of the first ${MAX_REPORTED_INVALID_TICKS} invalid elements) and nothing is published; fix those elements and resend the whole batch.`,
      "202 comes only after Kafka acknowledged every tick (acks=all). A 503 means Kafka did not acknowledge them: resend the",
      "batch; ticks of a batch that failed this way may already have been written, so a resend can duplicate some.",
    ].join(" "),
    tags: ["ingest"],
    security: [{ apiKey: [] }],
    requestBody: {
      required: true,
      content: { "application/json": { schema: jsonSchema(tickBatchSchema(kind, limits.maxTicks), "input") } },
    },
    responses: {
      "202": {
        description: "Every tick was acknowledged by Kafka",
        content: { "application/json": { schema: jsonSchema(ingestResultSchema, "output") } },
      },
      "400": errorResponse("Malformed JSON, not an array, empty, or invalid elements (`error.fields`); nothing was published"),
      "401": errorResponse(`Missing or wrong API key in the \`${API_KEY_HEADER}\` header`),
      "413": errorResponse(`Body over ${limits.maxBodyBytes} bytes or more than ${limits.maxTicks} ticks`),
      "415": errorResponse("Content-Type is not application/json"),
      "503": errorResponse("Kafka is unavailable (retriable)"),
    },
  };
}

export function buildOpenApiDocument(
  ingest: Pick<IngestSettings, "maxBodyBytes" | "maxTicks"> = getConfig().ingest,
): Record<string, unknown> {
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
  for (const endpoint of ingestEndpointList) paths[endpoint.path] = { post: ingestOperation(endpoint, ingest) };
  return {
    openapi: "3.1.0",
    info: {
      title: "tickstream market-data API",
      version: "1.0.0",
      description:
        "Market data: symbols, candles, trades, quotes, market overview, alerts, and tick ingest (API key). Times are epoch milliseconds UTC.",
    },
    servers: [{ url: "/api/v1" }],
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema, "output") },
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: API_KEY_HEADER } },
    },
  };
}

let cached: Record<string, unknown> | undefined;

/** The document, built once per process. */
export function getOpenApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument();
  return cached;
}
