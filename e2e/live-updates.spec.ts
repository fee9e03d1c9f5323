// Live path end to end: an update published to the live channel (as the stream worker does) reaches
// the open symbol page through the SSE hub and patches the header and the last candle.
import { expect, test, type Page } from "@playwright/test";
import { publishLiveUpdates } from "../adapters/live-channel";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { createRedis, type Redis } from "../adapters/redis";
import { formatPrice } from "../app/lib/format";
import type { SeededDay } from "../test/market-fixtures";
import { freshSymbol, liveDay, openSeeder, type Seeder } from "./seed";

let seeder: Seeder;
let redis: Redis;
let seeded: SeededDay;
const symbol = freshSymbol("EZL");
// Today: only today's page streams live (a past day is history).
const DAY = liveDay(symbol);

test.beforeAll(async () => {
  seeder = await openSeeder();
  seeded = await seeder.seed({ symbol, day: DAY, startPrice: 50 });
  redis = createRedis(getConfig().redis.url, "client", createLogger("e2e-live"));
});

test.afterAll(async () => {
  await seeder?.close();
  redis?.disconnect();
});

async function canvasSignature(page: Page): Promise<string> {
  return page.getByTestId("candle-chart").evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL());
}

test("a live candle and price patch the open symbol page", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=${DAY}&interval=1m`);
  await expect(page.getByTestId("connection-state")).toHaveText("live");
  await expect(page.getByTestId("candle-chart")).toBeVisible();
  await expect.poll(async () => (await canvasSignature(page)).length).toBeGreaterThan(5_000);
  const before = await canvasSignature(page);

  const lastCandle = seeded.candles.get("1m")?.at(-1);
  if (!lastCandle) throw new Error("seed has no 1m candle");
  const spike = Math.round(lastCandle.close * 1.05 * 100) / 100;
  await publishLiveUpdates(redis, [
    {
      type: "candle",
      symbol,
      interval: "1m",
      windowStart: lastCandle.windowStart,
      open: lastCandle.open,
      high: spike,
      low: lastCandle.low,
      close: spike,
      volume: lastCandle.volume + 100,
      vwap: lastCandle.vwap,
      tradeCount: lastCandle.tradeCount + 1,
      isFinal: false,
    },
    { type: "price", symbol, ts: seeded.last.ts + 1_000, last: spike },
  ]);

  await expect(page.getByTestId("symbol-last")).toHaveText(formatPrice(spike), { timeout: 5_000 });
  await expect.poll(() => canvasSignature(page), { timeout: 5_000 }).not.toBe(before);
});
