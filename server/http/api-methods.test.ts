import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { API_ROUTE_METHODS, checkApiMethod } from "./api-methods";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const METHOD_EXPORT = /export\s+(?:const|(?:async\s+)?function)\s+(GET|POST|PUT|PATCH|DELETE)\b|export\s*\{([^}]*)\}/g;

/** Each app/api route (`/api/…` with `[param]` segments) and the methods its module exports. */
function routeModules(): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const methods = new Set<string>();
        for (const match of fs.readFileSync(full, "utf8").matchAll(METHOD_EXPORT)) {
          if (match[1]) methods.add(match[1]);
          for (const name of match[2]?.matchAll(/\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/g) ?? []) methods.add(name[1] ?? "");
        }
        routes.set(`/${path.relative(path.join(ROOT, "app"), dir).split(path.sep).join("/")}`, [...methods].sort());
      }
    }
  };
  walk(path.join(ROOT, "app/api"));
  return routes;
}

describe("API methods table", () => {
  it("lists every route module of app/api with exactly the methods it exports", () => {
    const table = new Map(API_ROUTE_METHODS.map(([route, methods]) => [route, [...methods].sort()]));
    expect(Object.fromEntries(table)).toEqual(Object.fromEntries(routeModules()));
  });

  it("refuses TRACE, PATCH and unknown methods with 405, the Allow list and a JSON body naming the method", () => {
    for (const [method, pathname, allow] of [
      ["TRACE", "/api/health", "GET, HEAD, OPTIONS"],
      ["PATCH", "/api/v1/symbols/IBM/candles", "GET, HEAD, OPTIONS"],
      ["PROPFIND", "/api/trpc/market.overview", "GET, HEAD, OPTIONS, POST"],
      ["GET", "/api/admin/login", "OPTIONS, POST"],
      ["HEAD", "/api/v1/ingest/trades", "OPTIONS, POST"],
      ["PUT", "/api/admin/jobs/42", "DELETE, GET, HEAD, OPTIONS"],
      ["HEAD", "/api/stream", "GET, OPTIONS"],
    ] as const) {
      const verdict = checkApiMethod(method, pathname);
      expect(verdict, `${method} ${pathname}`).toMatchObject({ kind: "not-allowed", allow });
      if (verdict.kind !== "not-allowed") continue;
      expect(JSON.parse(verdict.body)).toEqual({
        error: { code: "METHOD_NOT_ALLOWED", message: `method ${method} is not allowed on ${pathname}; use ${allow}`, retriable: false },
      });
    }
  });

  it("passes allowed methods, pages and paths no route answers; answers OPTIONS with Allow", () => {
    expect(checkApiMethod("GET", "/api/v1/symbols/IBM")).toEqual({ kind: "pass" });
    expect(checkApiMethod("HEAD", "/api/v1/symbols")).toEqual({ kind: "pass" });
    expect(checkApiMethod("POST", "/api/admin/jobs/7/retry")).toEqual({ kind: "pass" });
    expect(checkApiMethod("TRACE", "/symbols/IBM")).toEqual({ kind: "pass" });
    expect(checkApiMethod("TRACE", "/api/nope")).toEqual({ kind: "pass" });
    expect(checkApiMethod("TRACE", "/api/v1/symbols/IBM/candles/extra")).toEqual({ kind: "pass" });
    expect(checkApiMethod("OPTIONS", "/api/admin/jobs")).toEqual({ kind: "options", allow: "GET, HEAD, OPTIONS, POST" });
  });

  it("keeps the echoed method and path printable and short", () => {
    const verdict = checkApiMethod("X\u0001".repeat(40), `/api/v1/symbols/${"A".repeat(500)}`);
    expect(verdict.kind).toBe("not-allowed");
    if (verdict.kind !== "not-allowed") return;
    const { message } = (JSON.parse(verdict.body) as { error: { message: string } }).error;
    expect(message).toMatch(/^method (X\?){16} is not allowed on \/api\/v1\/symbols\/A+; use GET, HEAD, OPTIONS$/);
    expect(message.length).toBeLessThan(300);
  });
});
