// npm test — every tier in order: lint, typecheck, unit, integration (real servers, started if
// needed), e2e (Chromium against the running system), faults (servers killed mid-replay). Each
// tier runs even if an earlier one failed, and the last line totals them all:
// "N passed, N failed[, N skipped]".
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "../adapters/config";
import { ensureDebianPackage } from "./debian-packages";
import { errorMessage } from "./progress";
import { servicesUp } from "./services";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const RESULTS = path.join(getConfig().dataDir, "test-results");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];

function record(tier: string, tally: Tally): void {
  total.passed += tally.passed;
  total.failed += tally.failed;
  total.skipped += tally.skipped;
  lines.push(`${tier.padEnd(12)} ${tally.passed} passed, ${tally.failed} failed${tally.skipped ? `, ${tally.skipped} skipped` : ""}`);
}

/**
 * Runs a tier to its end. Asynchronously, not spawnSync: the servers services:up started are this
 * process's children, and a blocked event loop would never reap one the fault suite kills, so the
 * killed server would stay a zombie that looks alive (and is never restarted).
 */
function run(command: string, args: string[]): Promise<number> {
  console.log(`\n$ ${path.basename(command)} ${args.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit" });
    child.on("error", (error) => {
      console.error(`${path.basename(command)} did not start: ${errorMessage(error)}`);
      resolve(1);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** A check with no test count of its own (lint, typecheck) counts as one test. */
async function check(tier: string, command: string, args: string[]): Promise<void> {
  const status = await run(command, args);
  record(tier, { passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 });
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

async function vitest(tier: string, project: string): Promise<void> {
  const output = path.join(RESULTS, `${project}.json`);
  fs.rmSync(output, { force: true });
  const status = await run(bin("vitest"), [
    "run",
    "--project",
    project,
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${output}`,
  ]);
  const report = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }>(output);
  if (!report) return record(tier, { passed: 0, failed: 1, skipped: 0 });
  // A run that failed outside any test (a crashed setup, a file that does not load) still fails.
  const failed = report.numFailedTests + (status !== 0 && report.numFailedTests === 0 ? 1 : 0);
  record(tier, { passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests });
}

async function playwright(): Promise<void> {
  const output = path.join(RESULTS, "e2e.json");
  fs.rmSync(output, { force: true });
  const status = await run(bin("playwright"), ["test"]);
  const report = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(output);
  if (!report) return record("e2e", { passed: 0, failed: 1, skipped: 0 });
  const { expected, unexpected, flaky, skipped } = report.stats;
  record("e2e", { passed: expected + flaky, failed: unexpected + (status !== 0 && unexpected === 0 ? 1 : 0), skipped });
}

async function main(): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  await check("lint", "npm", ["run", "--silent", "lint"]);
  await check("typecheck", "npm", ["run", "--silent", "typecheck"]);
  await vitest("unit", "unit");

  let servicesReady = true;
  try {
    console.log("\n$ services:up");
    await servicesUp();
  } catch (error) {
    servicesReady = false;
    console.error(`services did not start:\n${errorMessage(error)}`);
    record("services", { passed: 0, failed: 1, skipped: 0 });
  }
  if (servicesReady) {
    await vitest("integration", "integration");
    try {
      await ensureDebianPackage("chromium", getConfig().chromiumPath);
      await playwright();
    } catch (error) {
      console.error(`e2e cannot run: ${errorMessage(error)}`);
      record("e2e", { passed: 0, failed: 1, skipped: 0 });
    }
    // Last: it kills and restarts the servers the other tiers use.
    await vitest("faults", "faults");
  }

  console.log(`\n${lines.join("\n")}`);
  const skipped = total.skipped ? `, ${total.skipped} skipped` : "";
  console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
  process.exitCode = total.failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  console.log(`${total.passed} passed, ${total.failed + 1} failed`);
  process.exit(1);
});
