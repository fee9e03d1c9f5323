// A past trading day of a US equity, as a trader reads it: exchange time (New York) on the axis,
// tape and quote, the regular session as the first view with the extended hours a zoom away, that
// day's close and change in the header with no live quote or badge; and a simulated symbol's mark.
import { expect, test, type Page } from "@playwright/test";
import { applyTrade, type Candle } from "../core/candles";
import type { Trade } from "../core/schemas";
import { formatChange, formatPrice } from "../app/lib/format";
import { paintedPixels } from "./chart-hook";
import { freshSymbol, openSeeder, type Seeder } from "./seed";

let seeder: Seeder;
const symbol = freshSymbol("EZX");
const simulated = `${freshSymbol("EZS")}.SIM`;
const OPEN = Date.UTC(2013, 9, 7, 13, 30);
const CLOSE = Date.UTC(2013, 9, 7, 20);
let sessionClose = 0;
let fridayClose = 0;

test.beforeAll(async () => {
  seeder = await openSeeder();
  fridayClose = (await seeder.seed({ symbol, day: "2013-10-04", startPrice: 170, seed: 8 })).last.price;
  // Monday 04:00–20:00 New York: pre-market, the session, post-market.
  const monday = await seeder.seed({
    symbol,
    day: "2013-10-07",
    startPrice: 180,
    sessionStartMinute: 8 * 60,
    sessionMinutes: 16 * 60,
    tradeEveryMs: 30_000,
    seed: 9,
  });
  const session = monday.trades.filter((t) => t.ts >= OPEN && t.ts < CLOSE);
  sessionClose = (session.reduce<Candle | undefined>((c, t: Trade) => applyTrade(c, t, "1d"), undefined) as Candle).close;
  await seeder.seed({ symbol: simulated, day: "2013-10-07", startPrice: 50, sessionStartMinute: 0, sessionMinutes: 120 });
});

test.afterAll(async () => {
  await seeder?.close();
});

const dataset = (page: Page) => page.getByTestId("chart-box").evaluate((box: HTMLElement) => ({ ...box.dataset }));

test("a past day shows that day's close and change in the header, and no live quote or badge", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect(page.getByTestId("symbol-last")).toHaveText(formatPrice(sessionClose));
  await expect(page.getByTestId("symbol-change")).toContainText(formatChange(sessionClose - fridayClose));
  await expect(page.getByTestId("symbol-range")).toContainText("Range");
  await expect(page.getByTestId("connection-state")).toHaveText("history");
  await expect(page.getByTestId("connection-state")).not.toHaveText("live");
  await expect(page.getByTestId("quote-title")).toHaveText("Quote at the close · 2013-10-07");
  await expect(page.getByTestId("spread")).toContainText("bp");
  // The last print of the day was at 19:59:30 New York (post-market).
  await expect(page.getByTestId("quote-time")).toContainText("19:59:30 New York");
});

test("the axis of a US symbol starts at the session open in New York time, with a switch to UTC", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
  await expect.poll(async () => (await dataset(page)).xMin).toBe(String(OPEN));
  expect((await dataset(page)).xFirstTick).toBe("09:30");
  await expect(page.getByTestId("tape-time-header")).toHaveText("Time (New York)");
  await expect(page.getByTestId("trade-row").first().locator("td").first()).toHaveText("19:59:30");
  await expect(page.getByTestId("chart-readout")).toContainText("2013-10-07 15:59");

  await page.getByTestId("time-display").selectOption("utc");
  await expect(page.getByTestId("tape-time-header")).toHaveText("Time (UTC)");
  await expect.poll(async () => (await dataset(page)).xFirstTick).toBe("13:30");
  await expect(page.getByTestId("trade-row").first().locator("td").first()).toHaveText("23:59:30");
  // The choice is remembered.
  await page.reload();
  await expect(page.getByTestId("time-display")).toHaveValue("utc");
  await page.getByTestId("time-display").selectOption("exchange");
});

test("the wheel zooms, dragging pans, the crosshair reads the candle out, and reset returns to the session", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect.poll(async () => (await dataset(page)).xMin).toBe(String(OPEN));
  const box = await page.getByTestId("candle-chart").boundingBox();
  if (!box) throw new Error("no chart");
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 3 };
  await page.mouse.move(centre.x, centre.y);
  await expect(page.getByTestId("chart-readout")).toContainText(
    /2013-10-07 \d\d:\d\d · O [\d.,]+ H [\d.,]+ L [\d.,]+ C [\d.,]+ · V \S+ · VWAP \(session\) [\d.,]+/,
  );
  const before = await dataset(page);
  await page.mouse.wheel(0, -600);
  await expect
    .poll(async () => Number((await dataset(page)).xMax) - Number((await dataset(page)).xMin))
    .toBeLessThan(Number(before.xMax) - Number(before.xMin));
  const zoomed = await dataset(page);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 150, centre.y, { steps: 10 });
  await page.mouse.up();
  await expect.poll(async () => Number((await dataset(page)).xMin)).toBeLessThan(Number(zoomed.xMin));
  await page.getByTestId("chart-reset").click();
  await expect.poll(async () => (await dataset(page)).xMin).toBe(String(OPEN));
});

test("simulated symbols carry the mark in the grid and on their page", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId(`overview-row-${simulated}`).getByTestId("simulated-badge")).toBeVisible();
  await expect(page.getByTestId(`overview-row-${symbol}`).getByTestId("simulated-badge")).toHaveCount(0);
  await page.goto(`/symbols/${simulated}?date=2013-10-07`);
  await expect(page.getByTestId("symbol-title")).toHaveText(simulated);
  await expect(page.getByTestId("simulated-badge")).toBeVisible();
  await expect(page.getByTestId("simulated-badge")).toHaveAttribute("title", /calibrated on EZS/);
});

test("the theme follows the system's colour scheme until the user picks one", async ({ page }) => {
  const html = page.locator("html");
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect(html).toHaveAttribute("data-bs-theme", "light");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(html).toHaveAttribute("data-bs-theme", "dark");
  // The user picks light: the system's changes no longer apply, on this page or the next.
  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveAttribute("data-bs-theme", "light");
  await page.emulateMedia({ colorScheme: "light" });
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(html).toHaveAttribute("data-bs-theme", "light");
  await page.reload();
  await expect(html).toHaveAttribute("data-bs-theme", "light");
});
