// The symbol page's 1d interval: daily candles (written by the batch rollup) over a year, drawn.
import { expect, test } from "@playwright/test";
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { candleBucket } from "../core/intervals";
import { paintedPixels, readChartHook } from "./chart-hook";
import { freshSymbol, openSeeder, type Seeder } from "./seed";

const DAY_MS = 86_400_000;
const config = getConfig();
const symbol = freshSymbol("EZD");
let seeder: Seeder;
let client: CassandraClient;

test.beforeAll(async () => {
  seeder = await openSeeder();
  await seeder.seed({ symbol, day: "2013-10-07", startPrice: 180, prevClose: 178 });
  client = await connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    log: createLogger("e2e-seed"),
  });
  // 60 daily candles ending on the seeded day, as the rollup writes them.
  const lastDay = Date.UTC(2013, 9, 7);
  for (let i = 0; i < 60; i++) {
    const start = lastDay - i * DAY_MS;
    const open = 150 + i;
    await client.execute(
      `INSERT INTO ${config.cassandra.keyspace}.candles (symbol, interval, bucket, window_start, open, high, low, close, volume, vwap, trade_count, is_final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [symbol, "1d", candleBucket("1d", start), new Date(start), open, open + 2, open - 2, open + 1, 10_000, open + 0.5, 100, true],
      { prepare: true },
    );
  }
});

test.afterAll(async () => {
  await client?.shutdown();
  await seeder?.close();
});

test("the 1d interval draws the daily candles of the year up to the chosen day", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=2013-10-07&interval=1m`);
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
  await page.getByTestId("interval-1d").click();
  await expect(page).toHaveURL(/interval=1d/);
  await expect(page.getByTestId("interval-1d")).toHaveAttribute("aria-pressed", "true");
  await expect.poll(async () => (await readChartHook(page)).candles).toBe(60);
  const hook = await readChartHook(page);
  expect(hook.interval).toBe("1d");
  expect(hook.lastWindowStart).toBe(Date.UTC(2013, 9, 7));
  expect(hook.firstWindowStart).toBe(Date.UTC(2013, 9, 7) - 59 * DAY_MS);
  await expect.poll(() => paintedPixels(page)).toBeGreaterThan(1_000);
});
