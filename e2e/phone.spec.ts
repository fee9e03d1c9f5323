import { expect, test, type Page } from "@playwright/test";
import { paintedPixels } from "./chart-hook";
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

/** The chart's visible x range (data-x-min/max of its container). */
async function xRange(page: Page): Promise<{ min: number; max: number }> {
  const data = await page.getByTestId("chart-box").evaluate((box: HTMLElement) => ({ ...box.dataset }));
  return { min: Number(data.xMin), max: Number(data.xMax) };
}

test("a pinch zooms the chart on a phone and reset brings the session back", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
  // A past day opens on its regular session: 09:30 New York.
  await expect.poll(async () => (await xRange(page)).min).toBe(Date.UTC(2013, 9, 7, 13, 30));
  const before = await xRange(page);
  const box = await page.getByTestId("candle-chart").boundingBox();
  if (!box) throw new Error("no chart");
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // Two fingers moving apart, as real touch events (Chromium turns them into the pointer events hammerjs reads).
  const cdp = await page.context().newCDPSession(page);
  const fingers = (gap: number) => [
    { x: cx - gap, y: cy, id: 0 },
    { x: cx + gap, y: cy, id: 1 },
  ];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: fingers(20) });
  for (let gap = 30; gap <= 140; gap += 10) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: fingers(gap) });
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await expect
    .poll(
      async () => {
        const r = await xRange(page);
        return r.max - r.min;
      },
      { message: "the visible range after a pinch" },
    )
    .toBeLessThan((before.max - before.min) * 0.8);
  await page.getByTestId("chart-reset").click();
  await expect.poll(async () => xRange(page)).toEqual(before);
  expect(await horizontalOverflowPx(page)).toBeLessThanOrEqual(0);
});
