// The web process stops and starts again under an open symbol page: the page says "reconnecting",
// resumes, and its chart holds every window, including those published while the server was down
// (the browser resumes with Last-Event-ID and the hub backfills from the live stream). The spec owns
// that web process (the production web server, infra/web-server.ts, which answers /api/stream on
// node:http, with the existing build on a port of its own) and drives the data:
// a fresh symbol's history in Cassandra, then its live candles on the live channel.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { publishLiveUpdates } from "../adapters/live-channel";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { createRedis, type Redis } from "../adapters/redis";
import type { CandleUpdate } from "../core/live-updates";
import type { SeededDay } from "../test/market-fixtures";
import { missingWindows, readChartHook } from "./chart-hook";
import { freshSymbol, liveDay, openSeeder, type Seeder } from "./seed";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = 3210;
const BASE = `http://127.0.0.1:${PORT}`;
const MINUTE_MS = 60_000;
const symbol = freshSymbol("EZR");
// Today: only today's page streams live.
const DAY = liveDay(symbol);

let seeder: Seeder;
let redis: Redis;
let seeded: SeededDay;
let web: WebProcess | undefined;

/** A production web server child, as `npm start` runs it; keeps the tail of its output for failure messages. */
class WebProcess {
  readonly child: ChildProcess;
  readonly output: string[] = [];
  readonly exited: Promise<void>;

  constructor() {
    this.child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "infra/web-server.ts"), "--port", String(PORT), "--hostname", "127.0.0.1"],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: "production" }, // eslint-disable-line no-restricted-syntax -- the child inherits the environment
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding("utf8").on("data", (text: string) => {
        this.output.push(...text.split("\n").filter(Boolean));
        this.output.splice(0, Math.max(0, this.output.length - 40));
      });
    }
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the server answers HTTP (any status). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`the web server exited:\n${this.output.join("\n")}`);
      try {
        await fetch(`${BASE}/api/health`, { signal: AbortSignal.timeout(5_000) });
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`the web server did not answer on ${BASE} within ${timeoutMs} ms:\n${this.output.join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** SIGTERM, as a process manager stops it; SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    this.child.kill("SIGTERM");
    await this.exited;
    clearTimeout(timer);
  }
}

async function portIsFree(): Promise<boolean> {
  try {
    await fetch(`${BASE}/`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

/** The live candle of the `k`-th minute after the seeded session (k ≥ 0), as the stream worker publishes it. */
function liveCandle(k: number, trades: number, isFinal: boolean): CandleUpdate {
  const price = Math.round((seeded.last.price + 0.05 * (k + 1)) * 100) / 100;
  return {
    type: "candle",
    symbol,
    interval: "1m",
    windowStart: seeded.sessionEndMs + k * MINUTE_MS,
    open: price,
    high: price + 0.1,
    low: price - 0.1,
    close: price + 0.02 * trades,
    volume: 100 * trades,
    vwap: price,
    tradeCount: trades,
    isFinal,
  };
}

test.beforeAll(async () => {
  if (!(await portIsFree())) throw new Error(`port ${PORT} is in use: this spec starts its own web server there`);
  seeder = await openSeeder();
  seeded = await seeder.seed({ symbol, day: DAY, startPrice: 70, sessionMinutes: 30 });
  redis = createRedis(getConfig().redis.url, "client", createLogger("e2e-web-restart"));
  web = new WebProcess();
  await web.ready();
});

test.afterAll(async () => {
  await web?.stop(5_000);
  await seeder?.close();
  redis?.disconnect();
});

test("the page shows reconnecting while the web process restarts, then resumes with no missing candle", async ({ page }) => {
  test.setTimeout(120_000);
  const seededCandles = seeded.candles.get("1m")?.length ?? 0;
  // Ids the page resumes its stream from (EventSource's Last-Event-ID header, or our own retry's query).
  // EventSource's own Last-Event-ID header is not among a request's provisional headers: allHeaders()
  // has it (null for a request that never reached the server).
  const resumes: Array<Promise<string | null>> = [];
  page.on("request", (request) => {
    if (!request.url().includes("/api/stream")) return;
    const fromQuery = new URL(request.url()).searchParams.get("lastEventId");
    resumes.push(
      request.allHeaders().then(
        (headers) => headers["last-event-id"] ?? fromQuery,
        () => fromQuery,
      ),
    );
  });
  await page.goto(`${BASE}/symbols/${symbol}?date=${DAY}&interval=1m`);
  const state = page.getByTestId("connection-state");
  const box = page.getByTestId("chart-box");
  await expect(state).toHaveText("live");
  await expect(box).toHaveAttribute("data-candles", String(seededCandles));

  // Live before the stop: the first minute after the session opens.
  const [lastSeenId] = await publishLiveUpdates(redis, [liveCandle(0, 1, false)]);
  await expect(box).toHaveAttribute("data-last-trade-count", "1");

  await web?.stop();
  await expect(state).toHaveText("reconnecting");
  await expect(state).toHaveAttribute("data-state", "reconnecting");

  // While the server is down: the open minute closes, two more follow (the second still open).
  await publishLiveUpdates(redis, [liveCandle(0, 4, true), liveCandle(1, 3, true), liveCandle(2, 2, false)]);

  web = new WebProcess();
  await web.ready();
  await expect(state).toHaveText("live", { timeout: 30_000 });
  await expect(box).toHaveAttribute("data-last-window-start", String(seeded.sessionEndMs + 2 * MINUTE_MS));
  await expect(box).toHaveAttribute("data-last-trade-count", "2");

  // And live again after the resume: the open minute grows, the next one appends.
  await publishLiveUpdates(redis, [liveCandle(2, 5, true), liveCandle(3, 1, false)]);
  await expect(box).toHaveAttribute("data-last-window-start", String(seeded.sessionEndMs + 3 * MINUTE_MS));

  expect(await Promise.all(resumes)).toContain(lastSeenId);
  const hook = await readChartHook(page);
  expect(hook.candles).toBe(seededCandles + 4);
  expect(hook.firstWindowStart).toBe(seeded.sessionStartMs);
  expect(missingWindows(hook, MINUTE_MS)).toBe(0);
});
