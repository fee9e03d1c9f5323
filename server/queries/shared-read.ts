// Reads that many traders make at once (a popular symbol's day of candles, the market overview)
// run once per short interval per web process and are shared by every caller: single-flight plus
// a TTL, bounded in entries. History is then at most the TTL old; live changes reach browsers over
// SSE anyway. The TTL is the context's policy: the web process sets it, tests leave it unset.
// Memory: at most MAX_ENTRIES results per query (and, while they live, their wire bytes in
// server/http/encoded-json.ts); expired ones are dropped as new ones come in.
import type { QueryContext } from "../context";

const MAX_ENTRIES = 512;

interface Entry<R> {
  /** When the read behind `result` started: its data is at least this fresh. */
  startedAtMs: number;
  result: Promise<R>;
  settled: boolean;
  /** How long that read took, once it succeeded. */
  readMs?: number;
  /** The read started ahead of this entry's expiry, until it replaces the entry. */
  next?: Entry<R>;
}

/**
 * Wraps `run` so equal inputs within `ctx.sharedReadTtlMs` share one execution. Past half the TTL
 * (or earlier, by twice the last read's duration) the next caller starts a refresh in the
 * background and is still served the current result, so a busy key does not make all its callers
 * wait for the database once per TTL; no result whose read started more than the TTL ago is
 * handed out.
 */
export function sharedRead<I, R>(
  name: string,
  run: (ctx: QueryContext, input: I) => Promise<R>,
): (ctx: QueryContext, input: I) => Promise<R> {
  const entries = new Map<string, Entry<R>>();

  const install = (key: string, entry: Entry<R>, ttlMs: number, nowMs: number): void => {
    entries.delete(key);
    entries.set(key, entry);
    // Map keeps insertion order, so the first keys are (about) the oldest: expired ones go from the
    // front, so their results are not held past the TTL, then any beyond the cap.
    for (const [oldKey, old] of entries) {
      if (entries.size <= MAX_ENTRIES && nowMs - old.startedAtMs < ttlMs) break;
      entries.delete(oldKey);
    }
  };

  const start = (ctx: QueryContext, input: I, key: string): Entry<R> => {
    const entry: Entry<R> = { startedAtMs: ctx.nowMs(), result: run(ctx, input), settled: false };
    entry.result.then(
      () => {
        entry.settled = true;
        entry.readMs = ctx.nowMs() - entry.startedAtMs;
      },
      // A failure is not shared beyond the callers already waiting for it.
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry;
  };

  const refresh = (ctx: QueryContext, input: I, key: string, current: Entry<R>, ttlMs: number): void => {
    const next = start(ctx, input, key);
    current.next = next;
    next.result.then(
      () => {
        if (entries.get(key) === current) install(key, next, ttlMs, ctx.nowMs());
      },
      () => {
        // The current result stays until it expires; the caller after that reads anew.
        if (current.next === next) current.next = undefined;
      },
    );
  };

  return (ctx, input) => {
    const ttlMs = ctx.sharedReadTtlMs ?? 0;
    if (ttlMs <= 0) return run(ctx, input);
    const key = `${ctx.keyspace}\u0000${name}\u0000${JSON.stringify(input)}`;
    const nowMs = ctx.nowMs();
    const cached = entries.get(key);
    if (cached && nowMs - cached.startedAtMs < ttlMs) {
      // A slow read (the 200-symbol overview on a busy machine) starts its refresh earlier, so that
      // it is likely done before the current result expires.
      const refreshAfterMs = Math.min(ttlMs / 2, Math.max(0, ttlMs - 2 * (cached.readMs ?? 0)));
      if (cached.settled && cached.next === undefined && nowMs - cached.startedAtMs >= refreshAfterMs)
        refresh(ctx, input, key, cached, ttlMs);
      return cached.result;
    }
    // Expired: a refresh still in flight (started within the TTL) is the freshest read there is.
    const next = cached?.next;
    const entry = next && nowMs - next.startedAtMs < ttlMs ? next : start(ctx, input, key);
    install(key, entry, ttlMs, nowMs);
    return entry.result;
  };
}
