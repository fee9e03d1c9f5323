// The ingest API's credential: a key in the `x-api-key` header, checked against the configured
// keys in constant time.
import { createHash, timingSafeEqual } from "node:crypto";
import { getConfig } from "../../adapters/config";
import { createLogger } from "../../adapters/logger";
import { AppError } from "../errors";

export const API_KEY_HEADER = "x-api-key";

/** Whether a presented key (a header value, or null when absent) is one of the accepted keys. */
export type ApiKeyCheck = (presented: string | null | undefined) => boolean;

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/**
 * A check against `keys`. Comparing SHA-256 digests makes the comparison independent of the keys'
 * lengths, and every key is compared, so response times reveal neither a key nor which one matched.
 */
export function createApiKeyCheck(keys: readonly string[]): ApiKeyCheck {
  const known = keys.map(digest);
  return (presented) => {
    if (presented === null || presented === undefined || presented === "") return false;
    const candidate = digest(presented);
    let match = false;
    for (const key of known) match = timingSafeEqual(candidate, key) || match;
    return match;
  };
}

/** Throws UNAUTHORIZED (401) unless `headers` carry a key that `check` accepts. */
export function requireApiKey(headers: Headers | undefined, check: ApiKeyCheck): void {
  const presented = headers?.get(API_KEY_HEADER) ?? null;
  if (check(presented)) return;
  const message =
    presented === null || presented === "" ? `the ${API_KEY_HEADER} header is missing` : `the ${API_KEY_HEADER} header holds no valid key`;
  throw new AppError("UNAUTHORIZED", { message, retriable: false });
}

let configured: ApiKeyCheck | undefined;

/** The check against INGEST_API_KEYS, built once per process. */
export function getApiKeyCheck(): ApiKeyCheck {
  if (!configured) {
    const { apiKeys } = getConfig().ingest;
    if (apiKeys.length === 0) createLogger("ingest").error("INGEST_API_KEYS is not set: every ingest request is refused with 401");
    configured = createApiKeyCheck(apiKeys);
  }
  return configured;
}
