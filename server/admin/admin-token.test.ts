import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEV_ADMIN_TOKEN, loadConfig } from "../../adapters/config";
import { readOrCreateTokenFile, resolveAdminToken } from "./admin-token";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "admin-token-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("admin token", () => {
  it("is ADMIN_TOKEN when set, the dev token outside production otherwise", () => {
    expect(loadConfig({ ADMIN_TOKEN: "  a-real-admin-token " }).admin.token).toBe("a-real-admin-token");
    expect(loadConfig({}).admin.token).toBe(DEV_ADMIN_TOKEN);
    expect(loadConfig({ NODE_ENV: "test" }).admin.token).toBe(DEV_ADMIN_TOKEN);
    expect(loadConfig({ NODE_ENV: "production" }).admin.token).toBeUndefined();
  });

  it("refuses the dev token in production and short or spaced tokens anywhere", () => {
    expect(() => loadConfig({ NODE_ENV: "production", ADMIN_TOKEN: DEV_ADMIN_TOKEN })).toThrow(/ADMIN_TOKEN: the development token/);
    expect(() => loadConfig({ ADMIN_TOKEN: "short" })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadConfig({ ADMIN_TOKEN: "has a space in it" })).toThrow(/ADMIN_TOKEN/);
  });

  it("in production without ADMIN_TOKEN, generates one private token file once and keeps using it", () => {
    const config = loadConfig({ NODE_ENV: "production", TICKSTREAM_DATA_DIR: path.join(dir, "data") });
    const first = resolveAdminToken(config);
    const file = path.join(dir, "data", "admin-token");
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveAdminToken(config)).toBe(first);
    expect(
      resolveAdminToken(
        loadConfig({ NODE_ENV: "production", TICKSTREAM_DATA_DIR: path.join(dir, "data"), ADMIN_TOKEN: "configured-token" }),
      ),
    ).toBe("configured-token");
  });

  it("reports the file when it does not hold a usable token", () => {
    const file = path.join(dir, "bad-token");
    fs.writeFileSync(file, "x\n");
    expect(() => readOrCreateTokenFile(file)).toThrow(/no usable admin token/);
  });
});
