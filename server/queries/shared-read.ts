// Reads that many traders make at once (a popular symbol's day of candles, the market overview)
// run once per short interval per web process and are shared by every caller: single-flight plus
// a TTL, bounded in entries. History is then at most the TTL old; live changes reach browsers over
// SSE anyway. The TTL is the context's policy: the web process sets it, tests leave it unset.
import type { QueryContext } from "../context";

const MAX_ENTRIES = 512;

interface Entry<R> {
  expiresAtMs: number;
  result: Promise<R>;
}

/** Wraps `run` so equal inputs within `ctx.sharedReadTtlMs` share one execution. */
export function sharedRead<I, R>(name: string, run: (ctx: QueryContext, input: I) => Promise<R>): (ctx: QueryContext, input: I) => Promise<R> {
  const entries = new Map<string, Entry<R>>();
  return (ctx, input) => {
    const ttlMs = ctx.sharedReadTtlMs ?? 0;
    if (ttlMs <= 0) return run(ctx, input);
    const key = `${ctx.keyspace}\u0000${name}\u0000${JSON.stringify(input)}`;
    const nowMs = ctx.nowMs();
    const cached = entries.get(key);
    if (cached && cached.expiresAtMs > nowMs) return cached.result;
    entries.delete(key);
    const result = run(ctx, input);
    const entry = { expiresAtMs: nowMs + ttlMs, result };
    entries.set(key, entry);
    // A failure is not shared beyond the callers already waiting for it.
    result.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    // Map keeps insertion order: the first key is the oldest.
    while (entries.size > MAX_ENTRIES) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    return result;
  };
}
