// The dashboard and the admin console under the production Content-Security-Policy (a script nonce
// per page): they render, hydrate, run the inline theme script and log in, and the browser reports
// not one violation of the policy.
import { expect, test, type Page } from "@playwright/test";
import { logInWithAdminToken } from "./admin-login";

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      void (window as unknown as { reportCspViolation: (text: string) => Promise<void> }).reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} on ${location.pathname}`,
      );
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test("the dashboard, a symbol page and the API reference render, hydrate and keep their theme under the nonce CSP without a violation", async ({
  page,
}) => {
  const violations = await watchViolations(page);
  const response = await page.goto("/");
  expect(response?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(response?.headers()["x-frame-options"]).toBe("DENY");
  await expect(page.getByTestId("overall-health")).toBeVisible();

  // The toggle works only once React has hydrated; after a reload, only the nonced inline script
  // applies the saved theme before paint.
  const html = page.locator("html");
  const before = await html.getAttribute("data-bs-theme");
  await page.getByTestId("theme-toggle").click();
  const after = before === "light" ? "dark" : "light";
  await expect(html).toHaveAttribute("data-bs-theme", after);
  await page.reload();
  await expect(html).toHaveAttribute("data-bs-theme", after);
  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveAttribute("data-bs-theme", before ?? "dark");

  // A symbol page (chart, live stream) and the API reference, hydrated too.
  await page.goto("/symbols/IBM?date=2013-10-07&interval=1m");
  await page.getByTestId("interval-1d").click();
  await expect(page.getByTestId("interval-1d")).toHaveAttribute("aria-pressed", "true");
  await page.goto("/api-docs");
  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveAttribute("data-bs-theme", after);
  await page.getByTestId("theme-toggle").click();
  expect(violations).toEqual([]);
});

test("an admin logs in through the form and opens the console under the nonce CSP without a violation", async ({
  page,
  request,
  baseURL,
}) => {
  const violations = await watchViolations(page);
  const token = await logInWithAdminToken(request, baseURL ?? "");
  await page.goto("/admin/login");
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  await expect(page.getByTestId("job-state-tabs")).toBeVisible();
  await page.getByTestId("admin-nav").getByRole("link", { name: "Services" }).click();
  await expect(page.getByTestId("services-table")).toBeVisible();
  await page.getByTestId("admin-nav").getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  expect(violations).toEqual([]);
});
