import { expect, test } from "@playwright/test";

test("the home page shows every service healthy", async ({ page }) => {
  await page.goto("/");
  for (const service of ["kafka", "cassandra", "redis", "hdfs"]) {
    const card = page.getByTestId(`service-${service}`);
    await expect(card).toBeVisible();
    await expect(card.getByTestId("status")).toHaveText("healthy");
  }
  await expect(page.getByTestId("overall-health")).toHaveText("all healthy");
  await expect(page.getByTestId("service-cassandra")).toContainText(/Cassandra 5\.0/);
  await expect(page.getByTestId("service-hdfs")).toContainText(/live DataNode/);
});
