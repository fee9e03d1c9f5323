// Which methods each API route answers, in one table (paths as in app/api, `[param]` for a dynamic
// segment), so the web server refuses every other method with 405, an Allow header and a JSON body
// naming the method, before Next sees the request: Next answers an unexported method with a bare
// 405 and TRACE (which the fetch Request refuses to build) with a 500. A unit test checks the table
// against the route modules in app/api. Pure.
import { AppError, errorBody } from "../errors";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export const API_ROUTE_METHODS: ReadonlyArray<readonly [route: string, methods: readonly Method[]]> = [
  ["/api/v1/symbols", ["GET"]],
  ["/api/v1/symbols/[symbol]", ["GET"]],
  ["/api/v1/symbols/[symbol]/candles", ["GET"]],
  ["/api/v1/symbols/[symbol]/quote", ["GET"]],
  ["/api/v1/symbols/[symbol]/trades", ["GET"]],
  ["/api/v1/symbols/[symbol]/day-summary", ["GET"]],
  ["/api/v1/market/overview", ["GET"]],
  ["/api/v1/market/movers", ["GET"]],
  ["/api/v1/alerts", ["GET"]],
  ["/api/v1/openapi.json", ["GET"]],
  ["/api/v1/ingest/trades", ["POST"]],
  ["/api/v1/ingest/quotes", ["POST"]],
  ["/api/v1/ingest/prices", ["POST"]],
  ["/api/trpc/[trpc]", ["GET", "POST"]],
  ["/api/stream", ["GET"]],
  ["/api/health", ["GET"]],
  ["/api/metrics", ["GET"]],
  ["/api/admin/login", ["POST"]],
  ["/api/admin/logout", ["POST"]],
  ["/api/admin/queue", ["GET"]],
  ["/api/admin/jobs", ["GET", "POST"]],
  ["/api/admin/jobs/[id]", ["GET", "DELETE"]],
  ["/api/admin/jobs/[id]/retry", ["POST"]],
  ["/api/admin/jobs/[id]/cancel", ["POST"]],
  ["/api/admin/stream", ["GET"]],
  ["/api/admin/stream/dlq", ["GET"]],
  ["/api/admin/services", ["GET"]],
  ["/api/admin/archive", ["GET"]],
  ["/api/admin/data-quality", ["GET"]],
  ["/api/admin/models", ["GET"]],
];

interface CompiledRoute {
  pattern: RegExp;
  allowed: ReadonlySet<string>;
  /** The Allow header: the route's methods, HEAD with GET (as Next derives it), and OPTIONS. */
  allow: string;
  dynamicSegments: number;
}

// An event stream has no head to give: the web server's live-stream handler refuses HEAD.
const NO_HEAD = new Set(["/api/stream"]);

function compile(route: string, methods: readonly Method[]): CompiledRoute {
  const segments = route.split("/");
  const source = segments
    .map((segment) => (/^\[[A-Za-z]+\]$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  const allowed = new Set<string>([...methods, "OPTIONS", ...(methods.includes("GET") && !NO_HEAD.has(route) ? ["HEAD"] : [])]);
  return {
    pattern: new RegExp(`^${source}$`),
    allowed,
    allow: [...allowed].sort().join(", "),
    dynamicSegments: segments.filter((s) => s.startsWith("[")).length,
  };
}

// Static routes first, as Next matches them (a literal segment wins over a [param]).
const ROUTES = API_ROUTE_METHODS.map(([route, methods]) => compile(route, methods)).sort((a, b) => a.dynamicSegments - b.dynamicSegments);

export type MethodVerdict =
  /** Not an API route of the table, or an allowed method: the request goes on. */
  | { kind: "pass" }
  /** OPTIONS: 204 with Allow. */
  | { kind: "options"; allow: string }
  /** 405 with Allow and this JSON body. */
  | { kind: "not-allowed"; allow: string; body: string };

/** What to do with `method` on `pathname` (the request target without its query). */
export function checkApiMethod(method: string, pathname: string): MethodVerdict {
  if (!pathname.startsWith("/api/")) return { kind: "pass" };
  const route = ROUTES.find((candidate) => candidate.pattern.test(pathname));
  if (route === undefined) return { kind: "pass" };
  if (method === "OPTIONS") return { kind: "options", allow: route.allow };
  if (route.allowed.has(method)) return { kind: "pass" };
  // Both come from the request line: keep them printable and short in the message.
  const shown = (text: string, max: number) => text.replace(/[^\x21-\x7e]/g, "?").slice(0, max);
  const error = new AppError("METHOD_NOT_ALLOWED", {
    message: `method ${shown(method, 32)} is not allowed on ${shown(pathname, 200)}; use ${route.allow}`,
    retriable: false,
  });
  return { kind: "not-allowed", allow: route.allow, body: JSON.stringify(errorBody(error)) };
}
