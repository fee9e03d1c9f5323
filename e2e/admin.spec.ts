// The admin console against the running system: nothing of it without a session, then an archive
// job run from the console for two freshly seeded symbols of the last closed UTC day (the archive
// refuses a day that is not over), its progress followed to 100 %, and its files in the browser.
import { expect, test, type Page } from "@playwright/test";
import { getConfig } from "../adapters/config";
import { WebHdfsClient } from "../adapters/hdfs";
import { archiveSymbolDir } from "../core/archive-layout";
import { ARCHIVE_KINDS } from "../core/batch-jobs";
import { logInWithAdminToken } from "./admin-login";
import { freshSymbol, openSeeder, type Seeder } from "./seed";

const config = getConfig();
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const symbols = [freshSymbol("EZA"), freshSymbol("EZA")].sort();
let seeder: Seeder;
let tradesOf: Map<string, number>;

test.beforeAll(async () => {
  seeder = await openSeeder();
  tradesOf = new Map();
  for (const [i, symbol] of symbols.entries()) {
    const seeded = await seeder.seed({ symbol, day: DAY, startPrice: 40 + i, sessionMinutes: 30, seed: 11 + i });
    tradesOf.set(symbol, seeded.trades.length);
  }
});

test.afterAll(async () => {
  const hdfs = new WebHdfsClient({ baseUrl: config.hdfs.webhdfsUrl, user: config.hdfs.user });
  for (const symbol of symbols) {
    for (const kind of ARCHIVE_KINDS) await hdfs.delete(archiveSymbolDir(kind, DAY, symbol, config.hdfs.archiveRoot), { recursive: true });
  }
  await seeder?.close();
});

test("anonymous visitors are sent to the login page and the admin API answers 401", async ({ page, request }) => {
  await page.goto("/admin/jobs");
  await expect(page).toHaveURL(/\/admin\/login$/);
  await expect(page.getByLabel("Admin token")).toBeVisible();
  await page.goto("/admin/archive");
  await expect(page).toHaveURL(/\/admin\/login$/);

  const list = await request.get("/api/admin/jobs?state=active");
  expect(list.status()).toBe(401);
  expect(await list.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  const run = await request.post("/api/admin/jobs", { data: { name: "archive", data: { day: DAY } } });
  expect(run.status()).toBe(401);
});

test("an admin runs an archive job, watches it reach 100 % and finds its files in the archive browser", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const token = await logInWithAdminToken(request, baseURL ?? "");

  await page.goto("/admin/login");
  await page.getByLabel("Admin token").fill("not-the-token");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("login-error")).toContainText("wrong admin token");
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  await expect(page.getByTestId("admin-nav")).toBeVisible();

  // A bad parameter is refused by the server, naming the field.
  const form = page.getByTestId("run-job-form");
  await form.getByLabel("Job").selectOption("archive");
  await form.getByLabel("Parameters (JSON)").fill(JSON.stringify({ day: "2026-13-01", symbols }));
  await form.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("run-job-error")).toContainText("data.day");

  await form.getByLabel("Parameters (JSON)").fill(JSON.stringify({ day: DAY, symbols, kinds: ["trades", "quotes"] }));
  await form.getByRole("button", { name: "Run now" }).click();
  await expect(page).toHaveURL(/\/admin\/jobs\/[^/]+$/);
  const detail = page.getByTestId("job-detail");
  await expect(detail.getByRole("heading", { level: 1 })).toContainText("archive #");
  // The page polls every second: the bar follows the job to the end.
  await expect(detail.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100", { timeout: 90_000 });
  await expect(detail).toHaveAttribute("data-job-state", "completed");
  await expect(page.getByTestId("job-logs")).toContainText(symbols[0] ?? "");
  await expect(page.getByTestId("job-result")).toContainText(`"symbols": ${symbols.length}`);

  await page.getByTestId("admin-nav").getByRole("link", { name: "Archive" }).click();
  await expect(page).toHaveURL(/\/admin\/archive/);
  await page.getByTestId("archive-days").getByRole("button", { name: DAY }).click();
  const table = page.getByTestId("archive-symbols");
  for (const symbol of symbols) {
    const row = table.getByRole("row").filter({ has: page.getByRole("button", { name: symbol, exact: true }) });
    await expect(row).toContainText(String(tradesOf.get(symbol)?.toLocaleString("en-US")));
  }
  await table.getByRole("button", { name: symbols[0] ?? "", exact: true }).click();
  const files = page.getByTestId("archive-files");
  await expect(files).toContainText("part-0000.parquet");
  await expect(files).toContainText("_manifest.json");
  await expect(page.getByTestId("archive-rows")).toHaveText(String(tradesOf.get(symbols[0] ?? "")?.toLocaleString("en-US")));

  await page.getByTestId("admin-nav").getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.goto("/admin/jobs");
  await expect(page).toHaveURL(/\/admin\/login$/);
});

test("every console page fits a 375 px phone without horizontal scrolling", async ({ page, baseURL }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  // page.request shares the browser's cookies: its login is the page's session.
  await logInWithAdminToken(page.request, baseURL ?? "");
  const overflowPx = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  for (const [path, ready] of [
    ["/admin/jobs", "job-state-tabs"],
    ["/admin/stream", "lag-table"],
    ["/admin/services", "services-table"],
    ["/admin/archive", "archive-breadcrumb"],
    ["/admin/models", "models-table"],
    ["/admin/quality", "quality-day"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByTestId(ready)).toBeVisible();
    expect(await overflowPx(page), path).toBeLessThanOrEqual(0);
  }
  // The sections sit behind the navbar toggler on a phone.
  await page.getByRole("button", { name: "Toggle admin navigation" }).click();
  await page.getByTestId("admin-nav").getByRole("link", { name: "Services" }).click();
  await expect(page).toHaveURL(/\/admin\/services$/);
});
