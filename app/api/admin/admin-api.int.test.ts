// The admin API over its route handlers: anonymous calls get 401 JSON, login sets the session
// cookie, state changes pass the CSRF check, a bad run-now parameter is a 400 naming its field,
// and logout revokes the session. (Throttling and the web server's part: infra/web-server.int.test.ts.)
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_ADMIN_TOKEN, getConfig } from "../../../adapters/config";
import { createAdminContext, setAdminContext, type AdminContext } from "../../../server/admin/admin-context";
import { CLIENT_ADDRESS_HEADER } from "../../../server/http/client-address";
import { uniqueName } from "../../../test/helpers";
import { POST as login } from "./login/route";
import { POST as logout } from "./logout/route";
import { GET as getQueue } from "./queue/route";
import { GET as getJobs, POST as postJob } from "./jobs/route";
import { GET as getJob, DELETE as deleteJob } from "./jobs/[id]/route";
import { POST as retryJob } from "./jobs/[id]/retry/route";
import { POST as cancelJob } from "./jobs/[id]/cancel/route";
import { GET as getStream } from "./stream/route";
import { GET as getDlq } from "./stream/dlq/route";
import { GET as getServices } from "./services/route";
import { GET as getArchive } from "./archive/route";
import { GET as getDataQuality } from "./data-quality/route";
import { GET as getModels } from "./models/route";

const ORIGIN = "http://localhost:3000";
// A client address of this run only, so its login attempts share no throttle record with anyone.
const CLIENT = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const noParams = { params: Promise.resolve(undefined) };
const idParams = (id: string) => ({ params: Promise.resolve({ id }) });
let ctx: AdminContext & { close(): Promise<void> };

beforeAll(() => {
  ctx = createAdminContext({ queuePrefix: uniqueName("test_admin_api") });
  setAdminContext(ctx);
});

afterAll(async () => {
  setAdminContext(undefined);
  await ctx.queue.obliterate({ force: true });
  await ctx.close();
});

function request(path: string, init: { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {}): Request {
  const headers: Record<string, string> = { host: "localhost:3000", [CLIENT_ADDRESS_HEADER]: CLIENT, ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.method && init.method !== "GET") {
    headers["content-type"] ??= "application/json";
    headers.origin ??= ORIGIN;
  }
  return new Request(`${ORIGIN}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function logIn(): Promise<string> {
  const response = await login(
    request("/api/admin/login", { method: "POST", body: { token: getConfig().admin.token ?? DEV_ADMIN_TOKEN } }),
  );
  expect(response.status).toBe(200);
  const setCookie = response.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0] ?? "";
}

describe("admin API", () => {
  it("answers every anonymous call with 401 JSON, before reading any body", async () => {
    const calls: Array<[string, Promise<Response>]> = [
      ["queue", getQueue(request("/api/admin/queue"), noParams)],
      ["jobs", getJobs(request("/api/admin/jobs"), noParams)],
      ["run", postJob(request("/api/admin/jobs", { method: "POST", body: { name: "archive", data: { day: "bad" } } }), noParams)],
      ["job", getJob(request("/api/admin/jobs/1"), idParams("1"))],
      ["remove", deleteJob(request("/api/admin/jobs/1", { method: "DELETE" }), idParams("1"))],
      ["retry", retryJob(request("/api/admin/jobs/1/retry", { method: "POST", body: {} }), idParams("1"))],
      ["cancel", cancelJob(request("/api/admin/jobs/1/cancel", { method: "POST", body: {} }), idParams("1"))],
      ["stream", getStream(request("/api/admin/stream"), noParams)],
      ["dlq", getDlq(request("/api/admin/stream/dlq"), noParams)],
      ["services", getServices(request("/api/admin/services"), noParams)],
      ["archive", getArchive(request("/api/admin/archive"), noParams)],
      ["models", getModels(request("/api/admin/models"), noParams)],
      ["data-quality", getDataQuality(request("/api/admin/data-quality"), noParams)],
    ];
    for (const [name, pending] of calls) {
      const response = await pending;
      expect(response.status, name).toBe(401);
      expect(response.headers.get("content-type"), name).toMatch(/^application\/json/);
      expect(await response.json(), name).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
  });

  it("refuses a forged or expired-looking cookie", async () => {
    const response = await getQueue(
      request("/api/admin/queue", {
        cookie: "tickstream_admin=v2.AAAAAAAAAAAAAAAAAAAAAA.99999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      }),
      noParams,
    );
    expect(response.status).toBe(401);
  });

  it("logs in with the token only, setting an httpOnly SameSite=Strict session cookie (Secure over https)", async () => {
    const wrong = await login(request("/api/admin/login", { method: "POST", body: { token: "not-the-admin-token" } }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const plain = await login(request("/api/admin/login", { method: "POST", body: { token: DEV_ADMIN_TOKEN } }));
    expect(plain.status).toBe(200);
    expect(plain.headers.get("set-cookie")).toMatch(
      /^tickstream_admin=v2\.[\w-]{22}\.\d+\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const https = await login(
      request("/api/admin/login", { method: "POST", body: { token: DEV_ADMIN_TOKEN }, headers: { "x-forwarded-proto": "https" } }),
    );
    expect(https.headers.get("set-cookie")).toContain("; Secure;");

    const crossSite = await login(
      request("/api/admin/login", { method: "POST", body: { token: DEV_ADMIN_TOKEN }, headers: { origin: "https://evil.example" } }),
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get("set-cookie")).toBeNull();
  });

  it("serves a logged-in session and applies the CSRF check to state changes", async () => {
    const cookie = await logIn();
    const queue = await getQueue(request("/api/admin/queue", { cookie }), noParams);
    expect(queue.status).toBe(200);
    expect(await queue.json()).toMatchObject({ queue: "batch", counts: { waiting: 0, active: 0 }, schedules: [] });

    const form = await postJob(
      request("/api/admin/jobs", {
        method: "POST",
        cookie,
        body: { name: "archive", data: {} },
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      noParams,
    );
    expect(form.status).toBe(415);
    const foreign = await postJob(
      request("/api/admin/jobs", {
        method: "POST",
        cookie,
        body: { name: "archive", data: {} },
        headers: { origin: "https://evil.example" },
      }),
      noParams,
    );
    expect(foreign.status).toBe(403);
    expect((await getJobs(request("/api/admin/jobs?state=waiting", { cookie }), noParams)).status).toBe(200);
    expect((await ctx.queue.getJobCounts("waiting")).waiting).toBe(0);
  });

  it("answers a bad run-now parameter with 400 naming the field, and runs a good one", async () => {
    const cookie = await logIn();
    const bad = await postJob(
      request("/api/admin/jobs", { method: "POST", cookie, body: { name: "archive", data: { day: "26/11/2026" } } }),
      noParams,
    );
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string; fields: Record<string, string[]> } };
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.error.message).toContain("data.day");
    expect(body.error.fields["data.day"]).toContain("must be YYYY-MM-DD");

    const good = await postJob(
      request("/api/admin/jobs", { method: "POST", cookie, body: { name: "train-volatility", data: { symbols: ["IBM"] } } }),
      noParams,
    );
    expect(good.status).toBe(201);
    const { id } = (await good.json()) as { id: string };
    const detail = await getJob(request(`/api/admin/jobs/${id}`, { cookie }), idParams(id));
    expect(await detail.json()).toMatchObject({
      id,
      name: "train-volatility",
      state: "waiting",
      data: { symbols: ["IBM"], asOf: "previous", lookbackDays: 750 },
    });

    const removed = await deleteJob(request(`/api/admin/jobs/${id}`, { method: "DELETE", cookie }), idParams(id));
    expect(await removed.json()).toEqual({ id, removed: true });
    const missing = await getJob(request(`/api/admin/jobs/${id}`, { cookie }), idParams(id));
    expect(missing.status).toBe(404);
  });

  it("logs out by revoking the session and clearing the cookie; the old cookie is refused after", async () => {
    const cookie = await logIn();
    const other = await logIn();
    expect((await getQueue(request("/api/admin/queue", { cookie }), noParams)).status).toBe(200);
    const response = await logout(request("/api/admin/logout", { method: "POST", body: {}, cookie }));
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toBe("tickstream_admin=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    const replayed = await getQueue(request("/api/admin/queue", { cookie }), noParams);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    // Only that session: another login of the same token stays in.
    expect((await getQueue(request("/api/admin/queue", { cookie: other }), noParams)).status).toBe(200);
    // Logging out without a session just clears the cookie.
    expect((await logout(request("/api/admin/logout", { method: "POST", body: {} }))).status).toBe(200);
  });
});
