import { expect, test, type Page } from "@playwright/test";
import { freshSymbol, openSeeder, type Seeder } from "./seed";

let seeder: Seeder;
const symbol = freshSymbol("EZP");

test.use({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

test.beforeAll(async () => {
  seeder = await openSeeder();
  await seeder.seed({ symbol, day: "2013-10-07", startPrice: 25 });
});

test.afterAll(async () => {
  await seeder?.close();
});

async function horizontalOverflowPx(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test("the overview fits a 375 px phone without horizontal scrolling", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId(`overview-row-${symbol}`)).toBeVisible();
  expect(await horizontalOverflowPx(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/phone-overview.png", fullPage: true });
});

test("the symbol page fits a 375 px phone without horizontal scrolling", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect(page.getByTestId("candle-chart")).toBeVisible();
  await expect(page.getByTestId("trade-row").first()).toBeVisible();
  expect(await horizontalOverflowPx(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/phone-symbol.png", fullPage: true });
});
