import { expect, test } from "@playwright/test";
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { createCassandraStore, type AlertRow } from "../adapters/cassandra-store";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { dayKey } from "../core/intervals";
import { freshSymbol, openSeeder, type Seeder } from "./seed";

const config = getConfig();
const symbol = freshSymbol("EZA");
const DAY = "2013-10-07";
// 14:00 UTC: inside the seeded session (13:30 on), so it falls in a candle of the 1m chart.
const historicTs = Date.parse(`${DAY}T14:00:30Z`);
const recentTs = Date.now();
let seeder: Seeder;
let client: CassandraClient;

const alertRow = (tsMs: number, level: "warning" | "critical", message: string): AlertRow => ({
  alertId: `${symbol}:price_jump:${tsMs}`,
  symbol,
  kind: "price_jump",
  tsMs,
  severity: level === "critical" ? 31.5 : 12.25,
  details: JSON.stringify({ level, message, episodeStartTs: tsMs, zThreshold: 10 }),
});

test.beforeAll(async () => {
  seeder = await openSeeder();
  await seeder.seed({ symbol, day: DAY, startPrice: 180, prevClose: 178 });
  client = await connectCassandra({ contactPoints: config.cassandra.contactPoints, localDataCenter: config.cassandra.localDataCenter, log: createLogger("e2e-alerts") });
  await createCassandraStore(client, config.cassandra.keyspace).writeAlerts([
    alertRow(historicTs, "critical", "price jump +3.10% (180.00 → 185.58), z 31.5"),
    alertRow(recentTs, "warning", "price jump -1.20% (181.00 → 178.83), z -12.3"),
  ]);
});

test.afterAll(async () => {
  for (const ts of [historicTs, recentTs]) {
    await client?.execute(`DELETE FROM ${config.cassandra.keyspace}.alerts WHERE day = ? AND ts = ? AND alert_id = ?`, [dayKey(ts), new Date(ts), `${symbol}:price_jump:${ts}`], { prepare: true });
  }
  await client?.shutdown();
  await seeder?.close();
});

test("the symbol page lists the day's alerts and marks them on the candlestick chart", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=${DAY}&interval=1m`);
  const feed = page.getByTestId("alerts-feed");
  // seedDay stores one alert of its own (16:45, details not JSON): listed too, in plain words.
  await expect(feed.getByTestId("alert-row")).toHaveCount(2);
  const row = feed.locator(`[data-alert-id="${symbol}:price_jump:${historicTs}"]`);
  await expect(row).toHaveAttribute("data-level", "critical");
  await expect(row).toContainText("14:00:30");
  await expect(row).toContainText("price jump +3.10% (180.00 → 185.58), z 31.5");
  await expect(feed.getByTestId("alert-row").nth(0)).toContainText("16:45:00");
  await expect(page.getByTestId("candle-chart")).toBeVisible();
  await expect(page.locator("[data-alert-markers]")).toHaveAttribute("data-alert-markers", "2");
});

test("the overview lists recent alerts of every symbol, linked to the symbol page", async ({ page }) => {
  await page.goto("/");
  const row = page.locator(`[data-testid="alert-row"][data-alert-id="${symbol}:price_jump:${recentTs}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute("data-level", "warning");
  await expect(row.getByRole("link", { name: symbol })).toHaveAttribute("href", new RegExp(`/symbols/${symbol}\\?date=`));
});
