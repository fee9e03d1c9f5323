// HTTP content negotiation for API bodies we compress ourselves: which coding an Accept-Encoding
// header allows (RFC 9110 §12.5.3, with q-values), and whether If-None-Match already names the ETag.
import type { ContentCoding } from "./encoded-json";

// Preferred first at equal q: brotli bodies are the smallest.
const PREFERENCE: readonly ContentCoding[] = ["br", "gzip", "identity"];

/**
 * The best of `offered` (preferred first) that `acceptEncoding` allows; identity unless it or `*`
 * is refused with q=0.
 */
export function negotiateEncoding(
  acceptEncoding: string | null | undefined,
  offered: readonly ContentCoding[] = PREFERENCE,
): ContentCoding | null {
  if (!acceptEncoding) return offered.includes("identity") ? "identity" : null;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [rawName = "", ...params] = part.split(";");
    const name = rawName.trim().toLowerCase();
    if (name === "") continue;
    let weight = 1;
    for (const param of params) {
      const [k, v] = param.split("=");
      if (k?.trim().toLowerCase() === "q") {
        const parsed = Number(v?.trim());
        weight = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
      }
    }
    q.set(name === "x-gzip" ? "gzip" : name, weight);
  }
  const star = q.get("*");
  const weightOf = (coding: ContentCoding): number => {
    const own = q.get(coding);
    if (own !== undefined) return own;
    if (star !== undefined) return star;
    // Identity is acceptable unless refused, but only as the last resort; others only when named.
    return coding === "identity" ? Number.MIN_VALUE : 0;
  };
  let best: ContentCoding | null = null;
  let bestWeight = 0;
  for (const coding of offered) {
    const weight = weightOf(coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

/** True when If-None-Match lists `etag` (weak comparison) or is `*`. */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  const wanted = opaque(etag);
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === wanted);
}
