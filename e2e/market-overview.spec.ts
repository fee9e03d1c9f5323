import { expect, test } from "@playwright/test";
import { formatPrice } from "../app/lib/format";
import { freshSymbol, openSeeder, type Seeder } from "./seed";

let seeder: Seeder;
const up = freshSymbol("EZU");
const down = freshSymbol("EZD");
let upLast = 0;

test.beforeAll(async () => {
  seeder = await openSeeder();
  upLast = (await seeder.seed({ symbol: up, day: "2013-10-07", startPrice: 100, prevClose: 90 })).last.price;
  await seeder.seed({ symbol: down, day: "2013-10-07", startPrice: 40, prevClose: 60, seed: 3 });
});

test.afterAll(async () => {
  await seeder?.close();
});

test("the overview lists seeded symbols with price, coloured change and a sparkline", async ({ page }) => {
  await page.goto("/");
  const upRow = page.getByTestId(`overview-row-${up}`);
  await expect(upRow).toBeVisible();
  await expect(upRow.getByTestId("last")).toHaveText(formatPrice(upLast));
  await expect(upRow.getByTestId("change-pct")).toHaveClass(/text-success/);
  await expect(page.getByTestId(`overview-row-${down}`).getByTestId("change-pct")).toHaveClass(/text-danger/);
  await expect(upRow.getByTestId("sparkline")).toBeVisible();
  // The service-health panel is still on the page.
  await expect(page.getByTestId("overall-health")).toBeVisible();
});

test("search narrows the grid, headers sort it, and a row opens the symbol page", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("symbol-search").fill(up.toLowerCase());
  await expect(page.getByTestId(`overview-row-${up}`)).toBeVisible();
  await expect(page.getByTestId(`overview-row-${down}`)).toHaveCount(0);
  await page.getByTestId("symbol-search").fill("EZ");
  const changeHeader = page.getByRole("columnheader", { name: /% Chg/ });
  await changeHeader.getByRole("button").click();
  await expect(changeHeader).toHaveAttribute("aria-sort", "descending");
  await page.getByTestId(`overview-row-${up}`).click();
  await expect(page).toHaveURL(new RegExp(`/symbols/${up}`));
  await expect(page.getByTestId("symbol-title")).toHaveText(up);
});
