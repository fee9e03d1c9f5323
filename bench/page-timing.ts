// Browser-side figures of the dashboard against the running system (`npm start`, simulator on):
// first contentful paint of / and /symbols/IBM.SIM (mean of 5 loads, each in a fresh browser context,
// after one discarded warm-up load), and the cost of live chart updates on the symbol page: the
// chart's own counters (shaping + Chart.js redraw per frame, see writeChartHook) and the page's
// whole main-thread busy time per second (Chrome's TaskDuration) while the feed runs.
//   npx tsx bench/page-timing.ts [--base http://localhost:3000] [--seconds 20]
import { chromium, type Browser, type Page } from "@playwright/test";
import { getConfig } from "../adapters/config";

const LOADS = 5;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

async function firstContentfulPaintMs(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load" });
    const handle = await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime);
    return (await handle.jsonValue()) as number;
  } finally {
    await context.close();
  }
}

interface BusyWindow {
  seconds: number;
  taskMsPerSecond: number;
  scriptMsPerSecond: number;
}

/** Main-thread time the page spends per second over `seconds` (Chrome DevTools Performance metrics). */
async function mainThreadBusy(page: Page, seconds: number): Promise<BusyWindow> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const read = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    return { task: value("TaskDuration"), script: value("ScriptDuration"), at: performance.now() };
  };
  const start = await read();
  await page.waitForTimeout(seconds * 1_000);
  const end = await read();
  const elapsedS = (end.at - start.at) / 1_000;
  return {
    seconds: elapsedS,
    taskMsPerSecond: ((end.task - start.task) * 1_000) / elapsedS,
    scriptMsPerSecond: ((end.script - start.script) * 1_000) / elapsedS,
  };
}

async function chartCounters(page: Page): Promise<{ frames: number; ms: number; candles: number }> {
  return page.getByTestId("chart-box").evaluate((box: HTMLElement) => ({
    frames: Number(box.dataset.liveFrames ?? 0),
    ms: Number(box.dataset.liveUpdateMs ?? 0),
    candles: Number(box.dataset.candles ?? 0),
  }));
}

async function main(): Promise<void> {
  const config = getConfig();
  const base = argument("base", `http://localhost:${config.webPort}`);
  const seconds = Number(argument("seconds", "20"));
  const browser = await chromium.launch({
    executablePath: config.chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    console.log(`first contentful paint, ${LOADS} loads each (fresh context per load, after 1 warm-up), ${base}`);
    for (const path of ["/", "/symbols/IBM.SIM"]) {
      await firstContentfulPaintMs(browser, base + path);
      const samples: number[] = [];
      for (let i = 0; i < LOADS; i++) samples.push(await firstContentfulPaintMs(browser, base + path));
      const mean = samples.reduce((sum, v) => sum + v, 0) / samples.length;
      console.log(`  ${path.padEnd(14)} mean ${mean.toFixed(0)} ms  (${samples.map((v) => v.toFixed(0)).join(", ")})`);
    }

    console.log(`\nlive updates with the simulator's 20 symbols, ${seconds} s per page`);
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const interval of ["1m", "1s"]) {
      await page.goto(`${base}/symbols/IBM.SIM?interval=${interval}`);
      await page
        .getByTestId("chart-box")
        .and(page.locator(`[data-interval="${interval}"]`))
        .waitFor();
      const before = await chartCounters(page);
      const busy = await mainThreadBusy(page, seconds);
      const after = await chartCounters(page);
      const frames = after.frames - before.frames;
      const ms = after.ms - before.ms;
      console.log(
        `  /symbols/IBM.SIM ${interval} (${after.candles} candles): ${frames} chart frames (${(frames / busy.seconds).toFixed(1)}/s), shaping + redraw ${(ms / Math.max(frames, 1)).toFixed(2)} ms/frame; ` +
          `main thread ${busy.taskMsPerSecond.toFixed(0)} ms/s busy (script ${busy.scriptMsPerSecond.toFixed(0)} ms/s)`,
      );
    }
    await page.goto(`${base}/`);
    await page.getByTestId("connection-state").and(page.locator('[data-state="live"]')).waitFor();
    const overview = await mainThreadBusy(page, seconds);
    console.log(
      `  / (overview grid): main thread ${overview.taskMsPerSecond.toFixed(0)} ms/s busy (script ${overview.scriptMsPerSecond.toFixed(0)} ms/s)`,
    );
    await context.close();
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
