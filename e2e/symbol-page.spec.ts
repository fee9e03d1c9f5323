import { expect, test } from "@playwright/test";
import { paintedPixels } from "./chart-hook";
import { freshSymbol, openSeeder, type Seeder } from "./seed";

let seeder: Seeder;
const symbol = freshSymbol("EZC");

test.beforeAll(async () => {
  seeder = await openSeeder();
  await seeder.seed({ symbol, day: "2013-10-07", startPrice: 180, prevClose: 178 });
});

test.afterAll(async () => {
  await seeder?.close();
});

test("draws a candlestick chart for a seeded historical day, with quote and trades", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect(page.getByTestId("symbol-title")).toHaveText(symbol);
  await expect(page.getByTestId("day-picker")).toHaveValue("2013-10-07");
  const canvas = page.getByTestId("candle-chart");
  await expect(canvas).toBeVisible();
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
  await expect(page.getByTestId("trade-row").first()).toBeVisible();
  await expect(page.getByTestId("spread")).toContainText("bp");
  await expect(page.getByTestId("realized-vol")).toContainText("%");
});

test("switching the interval loads that interval's history", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
  const candleRequest = page.waitForRequest(
    (request) => request.url().includes("candles.range") && decodeURIComponent(request.url()).includes('"interval":"5m"'),
  );
  await page.getByTestId("interval-5m").click();
  await candleRequest;
  await expect(page).toHaveURL(/interval=5m/);
  await expect(page.getByTestId("interval-5m")).toHaveAttribute("aria-pressed", "true");
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
});

test("a day without data shows an empty state, not a blank chart", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-01&interval=1m`);
  await expect(page.getByTestId("chart-empty")).toContainText("No 1m candles for 2013-10-01");
});

test("an unknown symbol answers HTTP 404 with the not-found page", async ({ page, request }) => {
  const response = await page.goto(`/symbols/${freshSymbol("EZN")}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
  await expect(page.getByTestId("symbol-loading")).toHaveCount(0);
  for (const path of ["/symbols/NOPE", "/symbols/not%20a%20ticker!"]) {
    expect((await request.get(path)).status(), path).toBe(404);
  }
});
