// The admin token: ADMIN_TOKEN, the dev default outside production, or, in production without
// ADMIN_TOKEN, a random token generated once into `<dataDir>/admin-token` (mode 600), like a
// first-run admin password: `npm start` works with no env set and nothing guessable is accepted.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig, type AppConfig } from "../../adapters/config";
import { createLogger } from "../../adapters/logger";

export const ADMIN_TOKEN_FILE = "admin-token";

/** Where a generated token lives. */
export function adminTokenPath(dataDir: string): string {
  return path.join(dataDir, ADMIN_TOKEN_FILE);
}

/** Reads the generated token, creating it when absent (exclusively, so concurrent processes agree). */
export function readOrCreateTokenFile(file: string, onCreate: (file: string) => void = () => undefined): string {
  const read = () => fs.readFileSync(file, "utf8").trim();
  if (fs.existsSync(file)) {
    const token = read();
    if (token.length >= 12) return token;
    throw new Error(`${file} holds no usable admin token (12+ characters); delete it to generate a new one, or set ADMIN_TOKEN`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    onCreate(file);
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return read();
}

/** The token of `config`: configured, or the generated one. */
export function resolveAdminToken(config: AppConfig): string {
  if (config.admin.token !== undefined) return config.admin.token;
  const log = createLogger("admin");
  return readOrCreateTokenFile(adminTokenPath(config.dataDir), (file) =>
    log.warn({ file }, "ADMIN_TOKEN is not set: generated an admin console token into this file"),
  );
}

let cached: string | undefined;

/** The process's admin token, resolved once. */
export function getAdminToken(): string {
  cached ??= resolveAdminToken(getConfig());
  return cached;
}
