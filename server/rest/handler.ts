// Turns an endpoint definition into a Next.js route handler: path + query string → zod input →
// query function → JSON, and any error → the AppError JSON body with its mapped status.
import { createLogger } from "../../adapters/logger";
import { getQueryContext } from "../context";
import { errorBody, toAppError } from "../errors";
import type { Endpoint } from "./endpoints";

const log = createLogger("rest");

type RouteParams = Record<string, string | string[] | undefined>;

/** The second argument Next passes to a route handler; a route without dynamic segments gets no params. */
export interface RouteContext {
  params: Promise<RouteParams | undefined>;
}

/** Query-string and path values as one object; empty values count as absent. */
export function rawInput(request: Request, params: RouteParams = {}): Record<string, string> {
  const input: Record<string, string> = {};
  for (const [key, value] of new URL(request.url).searchParams) if (value !== "") input[key] = value;
  for (const [key, value] of Object.entries(params)) if (typeof value === "string") input[key] = safeDecode(value);
  return input;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A JSON error response for anything thrown. */
export function errorResponse(error: unknown): Response {
  const appError = toAppError(error);
  if (appError.code === "INTERNAL" || appError.code === "UNAVAILABLE") log.error({ err: appError.cause ?? appError, code: appError.code }, appError.message);
  return Response.json(errorBody(appError), { status: appError.status, headers: { "cache-control": "no-store" } });
}

// A shared read (shared-read.ts) hands the same result object to every caller within its TTL:
// serialize it once for all of them. Entries go when the result is collected.
const serialized = new WeakMap<object, string>();

function jsonBody(result: unknown): string {
  if (typeof result !== "object" || result === null) return JSON.stringify(result);
  let body = serialized.get(result);
  if (body === undefined) {
    body = JSON.stringify(result);
    serialized.set(result, body);
  }
  return body;
}

/** The GET handler of `endpoint`. */
export function restGet(endpoint: Endpoint): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const input: unknown = endpoint.input.parse(rawInput(request, await context.params));
      const result = await endpoint.run(await getQueryContext(), input);
      return new Response(jsonBody(result), { headers: { "content-type": "application/json", "cache-control": "no-store" } });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
