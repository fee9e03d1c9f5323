// The REST API's GETs answered on node:http before Next.js sees the request (used by the
// production web server, infra/web-server.ts): same routes, input rules, queries and JSON bytes
// as the route handlers in app/api/v1, but the bytes are compressed once per result object
// (encoded-json.ts) instead of by Next on every response, which Next cannot be told to skip.
// Next's middleware and next.config `headers` never see these requests (the app has neither).
import type { IncomingMessage, ServerResponse } from "node:http";
import { createLogger } from "../../adapters/logger";
import { errorBody } from "../errors";
import type { Endpoint } from "../rest/endpoints";
import { API_CACHE_CONTROL, decodePathParam, loggedAppError, rawInput, runEndpoint } from "../rest/handler";
import { encodeJson } from "./encoded-json";
import { etagMatches, negotiateEncoding } from "./negotiate";

const log = createLogger("fast-rest");

interface Route {
  endpoint: Endpoint;
  pattern: RegExp;
  names: string[];
}

function compile(basePath: string, endpoint: Endpoint): Route {
  const names: string[] = [];
  const source = `${basePath}${endpoint.path}`
    .split(/(\{[A-Za-z]+\})/)
    .map((part) => {
      const name = /^\{([A-Za-z]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(name);
      return "([^/]+)";
    })
    .join("");
  return { endpoint, pattern: new RegExp(`^${source}$`), names };
}

/** A request listener part: true when it took the request (it answers it), false to pass it on. */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Answers GET/HEAD of `endpoints` under `basePath`; anything else is left to the caller. */
export function createFastRest(endpoints: readonly Endpoint[], basePath = "/api/v1"): FastHandler {
  const routes = endpoints.map((endpoint) => compile(basePath, endpoint));
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    for (const route of routes) {
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      serve(route, match, queryAt === -1 ? "" : url.slice(queryAt + 1), req, res).catch((error: unknown) => {
        log.error({ err: error, url }, "fast REST response failed");
        res.destroy();
      });
      return true;
    }
    return false;
  };
}

async function serve(route: Route, match: RegExpExecArray, query: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let result: unknown;
  try {
    const input = rawInput(new URLSearchParams(query));
    // Raw path values: decoded once here, where malformed encoding becomes a 400 naming the field.
    route.names.forEach((name, i) => (input[name] = decodePathParam(name, match[i + 1] ?? "")));
    result = await runEndpoint(route.endpoint, input);
  } catch (error) {
    const appError = loggedAppError(error);
    const body = JSON.stringify(errorBody(appError));
    res.writeHead(appError.status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(body),
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return;
  }
  const body = encodeJson(result);
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "cache-control": API_CACHE_CONTROL,
    etag: body.etag,
    vary: "Accept-Encoding",
  };
  if (etagMatches(req.headers["if-none-match"], body.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  // A client that refuses every coding we have still gets JSON (RFC 9110 allows ignoring the header).
  const coding = body.codingFor(negotiateEncoding(req.headers["accept-encoding"]) ?? "identity");
  const bytes = await body.body(coding);
  if (coding !== "identity") headers["content-encoding"] = coding;
  headers["content-length"] = bytes.length;
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : bytes);
}
