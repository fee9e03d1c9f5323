// The running web process's admin token, found by logging in: ADMIN_TOKEN when set, else the file a
// production web process generates (`npm start`), else the development default (a `next dev`
// server). The candidates tried are at most two wrong logins, below the login throttle's free
// attempts, and the right one resets the address.
import type { APIRequestContext } from "@playwright/test";
import { DEV_ADMIN_TOKEN, getConfig } from "../adapters/config";
import { adminTokenPath, readOrCreateTokenFile } from "../server/admin/admin-token";

/** Logs `request` in (its cookies hold the session) and returns the token that worked. */
export async function logInWithAdminToken(request: APIRequestContext, baseURL: string): Promise<string> {
  const config = getConfig();
  const candidates = [
    config.admin.token !== DEV_ADMIN_TOKEN ? config.admin.token : undefined,
    readOrCreateTokenFile(adminTokenPath(config.dataDir)),
    DEV_ADMIN_TOKEN,
  ];
  for (const token of candidates) {
    if (token === undefined) continue;
    const response = await request.post("/api/admin/login", { data: { token }, headers: { origin: baseURL } });
    if (response.ok()) return token;
  }
  throw new Error("no admin token candidate logs in");
}
