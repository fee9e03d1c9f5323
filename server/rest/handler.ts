// Turns an endpoint definition into a Next.js route handler: path + query string → zod input →
// query function → JSON, and any error → the AppError JSON body with its mapped status. The
// production web server answers the same GETs before Next does (server/http/fast-rest.ts) with
// the same input rules, query and bytes, plus its own compression.
import { createLogger } from "../../adapters/logger";
import { getQueryContext } from "../context";
import { AppError, errorBody, toAppError } from "../errors";
import { encodeJson, type EncodedJson } from "../http/encoded-json";
import { etagMatches } from "../http/negotiate";
import type { Endpoint } from "./endpoints";

const log = createLogger("rest");

type RouteParams = Record<string, string | string[] | undefined>;

/** The second argument Next passes to a route handler; a route without dynamic segments gets no params. */
export interface RouteContext {
  params: Promise<RouteParams | undefined>;
}

/**
 * Revalidate on every use (If-None-Match → 304) rather than never store: the ETag then saves the
 * body, and a shared read's result is at most its TTL old anyway.
 */
export const API_CACHE_CONTROL = "no-cache";

/** A path value percent-decoded; malformed encoding is a 400 naming the field. */
export function decodePathParam(field: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new AppError("BAD_REQUEST", {
      message: `invalid ${field}`,
      fields: { [field]: ["malformed percent-encoding"] },
      retriable: false,
    });
  }
}

/** Query-string and path values as one object; empty values count as absent. */
export function rawInput(searchParams: URLSearchParams, params: RouteParams = {}): Record<string, string> {
  const input: Record<string, string> = {};
  for (const [key, value] of searchParams) if (value !== "") input[key] = value;
  // Next hands path values decoded once already; decoding again keeps `%2F`-style double encoding working as before.
  for (const [key, value] of Object.entries(params)) if (typeof value === "string") input[key] = decodePathParam(key, value);
  return input;
}

/** Validates `raw` against the endpoint's input and runs its query: what every REST GET does. */
export async function runEndpoint(endpoint: Endpoint, raw: Record<string, string>): Promise<unknown> {
  const input: unknown = endpoint.input.parse(raw);
  return endpoint.run(await getQueryContext(), input);
}

/** The AppError of anything thrown, logged when it is the server's fault. */
export function loggedAppError(error: unknown): AppError {
  const appError = toAppError(error);
  if (appError.code === "INTERNAL" || appError.code === "UNAVAILABLE")
    log.error({ err: appError.cause ?? appError, code: appError.code }, appError.message);
  return appError;
}

/** A JSON error response for anything thrown. */
export function errorResponse(error: unknown): Response {
  const appError = loggedAppError(error);
  return Response.json(errorBody(appError), { status: appError.status, headers: { "cache-control": "no-store" } });
}

/** 200 with the body, or 304 when the caller already holds these bytes. Next compresses the body. */
function okResponse(request: Request, body: EncodedJson): Response {
  const headers = { "content-type": "application/json", "cache-control": API_CACHE_CONTROL, etag: body.etag };
  if (etagMatches(request.headers.get("if-none-match"), body.etag)) return new Response(null, { status: 304, headers });
  // A view, not a copy (a Buffer's backing store is an ArrayBuffer here, never shared memory).
  return new Response(new Uint8Array(body.identity.buffer as ArrayBuffer, body.identity.byteOffset, body.identity.byteLength), { headers });
}

/** The GET handler of `endpoint`. */
export function restGet(endpoint: Endpoint): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const result = await runEndpoint(endpoint, rawInput(new URL(request.url).searchParams, await context.params));
      // A shared read's result object is the same for every caller within its TTL: its bytes and ETag are made once.
      return okResponse(request, encodeJson(result));
    } catch (error) {
      return errorResponse(error);
    }
  };
}
