// The running system with its simulated feed (20 symbols, ~100 ticks/s): ticks go through Kafka and
// the stream worker, which stores candles and publishes live updates, to the open pages over SSE.
// Nothing here writes data; it needs `npm start` (or Playwright's webServer) with the simulator.
import { expect, test, type Page } from "@playwright/test";
import { formatDayUtc } from "../app/lib/format";
import { paintedPixels, readChartHook, type ChartHook } from "./chart-hook";

// The simulator publishes under marked names (TICKER.SIM), beside the real replayed tickers.
const SIMULATED = [
  "AAPL",
  "AMZN",
  "CSCO",
  "DIS",
  "GE",
  "GOOGL",
  "HD",
  "IBM",
  "INTC",
  "JNJ",
  "JPM",
  "KO",
  "MSFT",
  "ORCL",
  "PEP",
  "PG",
  "T",
  "VZ",
  "WMT",
  "XOM",
].map((t) => `${t}.SIM`);
const INTERVAL_MS: Record<string, number> = { "1s": 1_000, "1m": 60_000, "5m": 300_000 };

async function displayedPrices(page: Page): Promise<(string | null)[]> {
  return page.evaluate(
    (symbols) => symbols.map((s) => document.querySelector(`[data-testid="overview-row-${s}"] [data-testid="last"]`)?.textContent ?? null),
    SIMULATED,
  );
}

/** The last candle as the chart holds it: changes with every trade folded into it. */
function lastCandleKey(hook: ChartHook): string {
  return `${hook.lastWindowStart}|${hook.lastTradeCount}|${hook.lastClose}`;
}

/** Waits until the chart holds `interval` candles of the live session (history loaded, newest window current). */
async function expectLiveHistory(page: Page, interval: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const hook = await readChartHook(page);
        if (hook.interval !== interval || hook.candles === 0 || hook.lastWindowStart === null)
          return `interval ${hook.interval}, ${hook.candles} candles`;
        if (hook.lastWindowStart % (INTERVAL_MS[interval] ?? 1) !== 0)
          return `window ${hook.lastWindowStart} is not on the ${interval} grid`;
        // The newest window is the current one or the one before (a quiet second for 1s).
        const ageMs = Date.now() - hook.lastWindowStart;
        return ageMs < 2 * (INTERVAL_MS[interval] ?? 0) + 5_000
          ? "live history"
          : `newest ${interval} window is ${Math.round(ageMs / 1000)} s old`;
      },
      { message: `${interval} history of today`, timeout: 15_000 },
    )
    .toBe("live history");
}

test("the overview lists all 20 simulated symbols and a displayed price changes within 5 s", async ({ page }) => {
  await page.goto("/");
  for (const symbol of SIMULATED) {
    await expect(page.getByTestId(`overview-row-${symbol}`)).toBeVisible();
    await expect(page.getByTestId(`overview-row-${symbol}`).getByTestId("simulated-badge")).toBeVisible();
  }
  await expect(page.getByTestId("connection-state")).toHaveText("live");
  const before = await displayedPrices(page);
  expect(
    before.every((price) => price !== null && /\d/.test(price)),
    `prices: ${before.join(", ")}`,
  ).toBe(true);
  // Polls the page (no reload): only the live stream can change the grid this fast (its refetch is 60 s).
  await expect
    .poll(async () => (await displayedPrices(page)).filter((price, i) => price !== before[i]).length, {
      message: "overview prices that changed",
      timeout: 5_000,
      intervals: [100],
    })
    .toBeGreaterThan(0);
});

test("the symbol page draws today's candlestick chart and its last candle follows the feed", async ({ page }) => {
  await page.goto("/symbols/IBM.SIM?interval=1m");
  await expect(page.getByTestId("symbol-title")).toHaveText("IBM.SIM");
  await expect(page.getByTestId("simulated-badge")).toBeVisible();
  await expect(page.getByTestId("day-picker")).toHaveValue(formatDayUtc(Date.now()));
  await expect(page.getByTestId("connection-state")).toHaveText("live");
  await expect(page.getByTestId("candle-chart")).toBeVisible();
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
  await expectLiveHistory(page, "1m");
  const before = lastCandleKey(await readChartHook(page));
  await expect
    .poll(async () => lastCandleKey(await readChartHook(page)), {
      message: "the last 1m candle (window|trades|close)",
      timeout: 5_000,
      intervals: [100],
    })
    .not.toBe(before);
  expect((await readChartHook(page)).liveFrames).toBeGreaterThan(0);
});

test("switching the interval loads that interval's history, which then updates live", async ({ page }) => {
  await page.goto("/symbols/IBM.SIM?interval=1m");
  await expectLiveHistory(page, "1m");
  for (const interval of ["5m", "1s"]) {
    const history = page.waitForRequest(
      (request) => request.url().includes("candles.range") && decodeURIComponent(request.url()).includes(`"interval":"${interval}"`),
    );
    await page.getByTestId(`interval-${interval}`).click();
    await history;
    await expect(page).toHaveURL(new RegExp(`interval=${interval}`));
    await expectLiveHistory(page, interval);
    await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
  }
  // 1s: a new window at least every few seconds while the feed runs.
  const lastWindow = (await readChartHook(page)).lastWindowStart;
  await expect
    .poll(async () => (await readChartHook(page)).lastWindowStart, { message: "the newest 1s window", timeout: 5_000 })
    .not.toBe(lastWindow);
});
