import { defineConfig } from "@playwright/test";
import { getConfig } from "./adapters/config";

// End-to-end specs run in Debian's Chromium against the whole system started by `npm start`
// (or an already running one on the same port, outside CI).
const config = getConfig();
const baseURL = `http://localhost:${config.webPort}`;

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: config.ci,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: ".data/test-results/e2e.json" }]],
  outputDir: "test-results",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: config.chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "npx tsx infra/start.ts",
    url: `${baseURL}/api/health`,
    reuseExistingServer: !config.ci,
    timeout: 600_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
  },
});
