// The production web server (infra/web-server.ts over the current build) as a browser or attacker
// meets it: the admin login throttle per socket address, logout revoking the session, 405 with
// Allow for methods an API route does not answer, and the security headers with a nonce per page.
// Requests leave from random loopback addresses (127.x.y.z), so their throttle records are this
// run's own.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_AUTH_KEY_PREFIX } from "../adapters/admin-auth-store";
import { getConfig } from "../adapters/config";
import { createRedis } from "../adapters/redis";
import { eventually, testLog } from "../test/helpers";
import { buildWebIfStale } from "./start";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOKEN = `it-${randomBytes(12).toString("base64url")}`;
const FREE_ATTEMPTS = 3;
const FIRST_LOCKOUT_S = 60;
const redis = createRedis(getConfig().redis.url, "client", testLog);
const usedAddresses: string[] = [];
let web: ChildProcess | undefined;
const webOutput: string[] = [];
let port = 0;

/** A loopback address of this run only. */
function freshAddress(): string {
  const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  usedAddresses.push(address);
  return address;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port: found } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return found;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function call(
  method: string,
  target: string,
  options: { from?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) {
    headers["content-type"] ??= "application/json";
    headers.origin ??= `http://127.0.0.1:${port}`;
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: target, headers, localAddress: options.from ?? "127.0.0.1", agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.once("error", reject);
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

const login = (from: string, token: string, headers: Record<string, string> = {}) =>
  call("POST", "/api/admin/login", { from, body: { token }, headers });
const cookieOf = (answer: Answer) => (answer.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";

beforeAll(async () => {
  buildWebIfStale();
  port = await freePort();
  web = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["infra/web-server.ts", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    env: {
      // eslint-disable-next-line no-restricted-syntax -- the child inherits the environment, with this test's admin settings
      ...process.env,
      NODE_ENV: "production",
      ADMIN_TOKEN: TOKEN,
      ADMIN_LOGIN_FREE_ATTEMPTS: String(FREE_ATTEMPTS),
      ADMIN_LOGIN_LOCKOUT_MS: String(FIRST_LOCKOUT_S * 1_000),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [web.stdout, web.stderr]) {
    stream?.setEncoding("utf8").on("data", (text: string) => {
      webOutput.push(...text.split("\n").filter(Boolean));
      webOutput.splice(0, Math.max(0, webOutput.length - 40));
    });
  }
  await eventually(
    async () => {
      if (web?.exitCode !== null) throw new Error(`the web server exited:\n${webOutput.join("\n")}`);
      return (await call("GET", "/api/v1/openapi.json").catch(() => undefined))?.status === 200;
    },
    "the web server to answer",
    120_000,
  );
}, 900_000);

afterAll(async () => {
  if (web && web.exitCode === null) {
    const exited = new Promise((resolve) => web?.once("exit", resolve));
    web.kill("SIGTERM");
    await exited;
  }
  if (usedAddresses.length > 0) await redis.del(...usedAddresses.map((address) => `${ADMIN_AUTH_KEY_PREFIX}login-failures:${address}`));
  redis.disconnect();
});

describe("admin login throttle", () => {
  it("answers the attempt after the free ones with 429 and Retry-After, and refuses even the right token during the lockout", async () => {
    const attacker = freshAddress();
    for (let i = 0; i < FREE_ATTEMPTS; i++) expect((await login(attacker, `wrong-token-${i}`)).status).toBe(401);
    const locked = await login(attacker, "wrong-token-again");
    expect(locked.status).toBe(429);
    const retryAfterS = Number(locked.headers["retry-after"]);
    expect(retryAfterS).toBeGreaterThan(FIRST_LOCKOUT_S - 10);
    expect(retryAfterS).toBeLessThanOrEqual(FIRST_LOCKOUT_S);
    expect(locked.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(locked.body)).toMatchObject({
      error: { code: "TOO_MANY_REQUESTS", retriable: true, message: expect.stringMatching(/too many failed logins/) as unknown },
    });

    const right = await login(attacker, TOKEN);
    expect(right.status).toBe(429);
    expect(right.headers["set-cookie"]).toBeUndefined();
    // Forwarding headers do not make another client of the same socket address.
    const spoofed = await login(attacker, TOKEN, { "x-forwarded-for": "198.51.100.9", "x-tickstream-client-address": "198.51.100.10" });
    expect(spoofed.status).toBe(429);

    // Another address is not affected.
    expect((await login(freshAddress(), TOKEN)).status).toBe(200);
  });

  it("resets an address on a successful login", async () => {
    const admin = freshAddress();
    for (let i = 0; i < FREE_ATTEMPTS - 1; i++) expect((await login(admin, "typo-token")).status).toBe(401);
    expect((await login(admin, TOKEN)).status).toBe(200);
    for (let i = 0; i < FREE_ATTEMPTS; i++) expect((await login(admin, "typo-token")).status).toBe(401);
    expect((await login(admin, "typo-token")).status).toBe(429);
  });
});

describe("admin sessions", () => {
  it("revokes the session at logout: the old cookie replayed gets 401 from the API and the login page from the console", async () => {
    const admin = freshAddress();
    const loggedIn = await login(admin, TOKEN);
    expect(loggedIn.status).toBe(200);
    const cookie = cookieOf(loggedIn);
    expect(cookie).toMatch(/^tickstream_admin=v2\./);
    expect((await call("GET", "/api/admin/queue", { from: admin, headers: { cookie } })).status).toBe(200);
    expect((await call("GET", "/admin/jobs", { from: admin, headers: { cookie } })).status).toBe(200);

    const loggedOut = await call("POST", "/api/admin/logout", { from: admin, headers: { cookie }, body: {} });
    expect(loggedOut.status).toBe(200);
    expect(loggedOut.headers["set-cookie"]?.[0]).toMatch(/^tickstream_admin=;.*Max-Age=0/);

    const replayed = await call("GET", "/api/admin/queue", { from: admin, headers: { cookie } });
    expect(replayed.status).toBe(401);
    expect(JSON.parse(replayed.body)).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const page = await call("GET", "/admin/jobs", { from: admin, headers: { cookie } });
    expect(page.status).toBe(307);
    expect(page.headers.location).toMatch(/\/admin\/login$/);
  });
});

describe("methods", () => {
  const routes: Array<[string, string]> = [
    ["/api/v1/symbols", "GET, HEAD, OPTIONS"],
    ["/api/v1/symbols/IBM/candles?interval=1m", "GET, HEAD, OPTIONS"],
    ["/api/v1/ingest/trades", "OPTIONS, POST"],
    ["/api/admin/login", "OPTIONS, POST"],
    ["/api/admin/jobs/1", "DELETE, GET, HEAD, OPTIONS"],
    ["/api/stream", "GET, OPTIONS"],
    ["/api/trpc/market.overview", "GET, HEAD, OPTIONS, POST"],
    ["/api/health", "GET, HEAD, OPTIONS"],
    ["/api/metrics", "GET, HEAD, OPTIONS"],
  ];

  it("answers TRACE, PATCH and other unsupported methods on every API route with 405, Allow and a JSON body naming the method", async () => {
    for (const [target, allow] of routes) {
      for (const method of ["TRACE", "PATCH", "PROPFIND"]) {
        const answer = await call(method, target);
        expect(answer.status, `${method} ${target}`).toBe(405);
        expect(answer.headers.allow, `${method} ${target}`).toBe(allow);
        expect(answer.headers["content-type"]).toBe("application/json");
        expect(JSON.parse(answer.body)).toMatchObject({
          error: { code: "METHOD_NOT_ALLOWED", message: expect.stringContaining(`method ${method} `) as unknown },
        });
      }
      const options = await call("OPTIONS", target);
      expect(options.status).toBe(204);
      expect(options.headers.allow).toBe(allow);
    }
  });

  it("answers a method Node's parser does not know with 405 on an API route too", async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => socket.end("FROB /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      let text = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      socket.once("end", () => resolve(text));
      socket.once("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(raw).toMatch(/\r\nallow: GET, HEAD, OPTIONS\r\n/);
    expect(raw).toContain('"code":"METHOD_NOT_ALLOWED"');
    expect(raw).toContain("method FROB is not allowed on /api/health");
  });
});

describe("security headers", () => {
  const expectHardened = (answer: Answer, what: string) => {
    expect(answer.headers["x-content-type-options"], what).toBe("nosniff");
    expect(answer.headers["x-frame-options"], what).toBe("DENY");
    expect(answer.headers["referrer-policy"], what).toBe("same-origin");
    const policy = String(answer.headers["content-security-policy"]);
    for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"]) expect(policy, what).toContain(directive);
  };

  it("are on API answers: the fast REST path, Next's routes, and refusals", async () => {
    expectHardened(await call("GET", "/api/v1/symbols"), "fast REST");
    expectHardened(await call("GET", "/api/v1/openapi.json"), "Next route");
    expectHardened(await call("GET", "/api/admin/queue"), "401");
    expectHardened(await call("TRACE", "/api/health"), "405");
    expectHardened(await call("GET", "/_next/static/no-such-chunk.js"), "static 404");
  });

  it("are on pages, with a fresh script nonce per page that every script of the page carries", async () => {
    const nonces = new Set<string>();
    for (const target of ["/", "/", "/admin/login", "/api-docs"]) {
      const page = await call("GET", target, { headers: { "content-security-policy": "script-src 'nonce-chosen-by-client'" } });
      expect(page.status, target).toBe(200);
      expectHardened(page, target);
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(
        String(page.headers["content-security-policy"]),
      )?.[1];
      expect(nonce, target).toBeDefined();
      expect(nonce).not.toBe("chosen-by-client");
      nonces.add(nonce ?? "");
      const scripts = [...page.body.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      expect(scripts.length, target).toBeGreaterThan(1);
      for (const script of scripts) expect(script, target).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(4);
  });
});
