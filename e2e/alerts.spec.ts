import { expect, test, type Page } from "@playwright/test";
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { createCassandraStore, type AlertRow } from "../adapters/cassandra-store";
import { getConfig } from "../adapters/config";
import { publishLiveUpdates } from "../adapters/live-channel";
import { createLogger } from "../adapters/logger";
import { createRedis, type Redis } from "../adapters/redis";
import { VENUES, zonedTimeToUtcMs } from "../core/exchange-time";
import { dayKey } from "../core/intervals";
import { freshSymbol, liveDay, openSeeder, type Seeder } from "./seed";

const config = getConfig();
const symbol = freshSymbol("EZA");
const DAY = "2013-10-07";
// 14:00 UTC: inside the seeded session (13:30 on), so it falls in a candle of the 1m chart.
const historicTs = Date.parse(`${DAY}T14:00:30Z`);
const recentTs = Date.now();
// Only today's symbol page streams live; its feed lists the day's alerts: noon in New York is on the
// same UTC day (alert days are UTC partitions) whatever the hour now.
const TODAY = liveDay(symbol);
const todayNoonTs = zonedTimeToUtcMs(VENUES["us-equity"].timeZone, TODAY, "12:00");
let seeder: Seeder;
let client: CassandraClient;
let redis: Redis;

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
  redis = createRedis(config.redis.url, "client", createLogger("e2e-alerts-live"));
  await seeder.seed({ symbol, day: DAY, startPrice: 180, prevClose: 178 });
  client = await connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    log: createLogger("e2e-alerts"),
  });
  await createCassandraStore(client, config.cassandra.keyspace).writeAlerts([
    alertRow(historicTs, "critical", "price jump +3.10% (180.00 → 185.58), z 31.5"),
    alertRow(recentTs, "warning", "price jump -1.20% (181.00 → 178.83), z -12.3"),
  ]);
});

test.afterAll(async () => {
  for (const ts of [historicTs, recentTs]) {
    await client?.execute(
      `DELETE FROM ${config.cassandra.keyspace}.alerts WHERE day = ? AND ts = ? AND alert_id = ?`,
      [dayKey(ts), new Date(ts), `${symbol}:price_jump:${ts}`],
      { prepare: true },
    );
  }
  await client?.shutdown();
  redis?.disconnect();
  await seeder?.close();
});

test("the symbol page lists the day's alerts and marks them on the candlestick chart", async ({ page }) => {
  await page.goto(`/symbols/${symbol}?date=${DAY}&interval=1m`);
  const feed = page.getByTestId("alerts-feed");
  // seedDay stores one alert of its own (16:45, details not JSON): listed too, in plain words.
  await expect(feed.getByTestId("alert-row")).toHaveCount(2);
  const row = feed.locator(`[data-alert-id="${symbol}:price_jump:${historicTs}"]`);
  await expect(row).toHaveAttribute("data-level", "critical");
  // Exchange time: 14:00:30 UTC is 10:00:30 in New York.
  await expect(row).toContainText("10:00:30");
  await expect(row).toContainText("price jump +3.10% (180.00 → 185.58), z 31.5");
  await expect(feed.getByTestId("alert-row").nth(0)).toContainText("12:45:00");
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

/** Counts the page's /api/stream requests from now on. */
function countStreams(page: Page): () => number {
  let count = 0;
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/stream") count++;
  });
  return () => count;
}

for (const [name, path] of [
  ["overview", "/"],
  ["symbol page", `/symbols/${symbol}?date=${TODAY}&interval=1m`],
] as const) {
  test(`the ${name} opens one live stream, which carries the alerts feed's live alerts too`, async ({ page }) => {
    const streams = countStreams(page);
    await page.goto(path);
    // Both badges live: every stream the page opens on load has been requested by then.
    await expect(page.getByTestId("connection-state")).toHaveText("live");
    await expect(page.getByTestId("alerts-connection-state")).toHaveText("live");
    expect(streams()).toBe(1);

    // The overview lists the newest alerts of all symbols; the symbol page the viewed day's.
    const ts = name === "overview" ? Date.now() : todayNoonTs;
    const id = `${symbol}:volume_spike:${ts}`;
    await publishLiveUpdates(redis, [
      { type: "alert", id, symbol, ts, kind: "volume_spike", severity: "critical", score: 40, message: `live ${name} alert` },
    ]);
    const row = page.getByTestId("alerts-feed").locator(`[data-alert-id="${id}"]`);
    await expect(row).toContainText(`live ${name} alert`, { timeout: 5_000 });
    await expect(row).toHaveAttribute("data-level", "critical");
    expect(streams()).toBe(1);
  });
}
