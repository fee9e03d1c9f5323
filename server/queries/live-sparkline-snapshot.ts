// The web process's sparkline snapshot (sparkline-snapshot.ts), fed by the SSE hub's one XREAD loop:
// a symbol's day of 1m closes is read from Cassandra on first use, kept current from the live 1m
// candle updates, and read again every `resyncMs` in the background (writes that were never
// published, e.g. a recompute or a failed publish, are thus corrected within that bound).
import type { LiveEntry } from "../../adapters/live-channel";
import type { Logger } from "../../adapters/logger";
import type { MarketReadStore } from "../../adapters/market-read-store";
import { dayKey } from "../../core/intervals";
import type { LiveTap } from "../live/sse-hub";
import { SparklineSnapshot, type ClosePoint, type SparklineLoad, type SparklineSnapshotLimits } from "./sparkline-snapshot";

export const SPARKLINE_SNAPSHOT_DEFAULTS = {
  // The overview's largest `limit` (1,000 symbols) × its largest sparkline (240 points, + 16).
  maxSymbols: 1_000,
  maxPoints: 256,
  maxBufferedUpdates: 1_000,
  resyncMs: 60_000,
  maxResyncsInFlight: 4,
  // A failed start of the feed is tried again on a read after this long.
  retapMs: 5_000,
} as const;

export interface SparklineSource {
  /**
   * The newest `points` 1m closes of the day of `tsMs` with window start ≤ `tsMs`, oldest first,
   * from memory (loading the symbol's day once while the feed is live); undefined when the snapshot
   * cannot answer (the feed is not live): read Cassandra then.
   */
  read(symbol: string, tsMs: number, points: number): Promise<number[] | undefined>;
  /** Starts background reloads of series read `resyncMs` or more ago (a few at a time). */
  resync(): void;
  stats(): { symbols: number; live: boolean; loads: number; resyncs: number; updatesApplied: number };
  /** Stops feeding (untaps the hub). */
  close(): void;
}

export interface LiveSparklinesOptions extends Partial<SparklineSnapshotLimits> {
  /** Where a series is (re)loaded from. */
  candles: Pick<MarketReadStore, "newestCloses">;
  /** Registers the feed (`SseHub.tap`); returns the function that removes it. */
  tap: (listener: LiveTap) => () => void;
  nowMs: () => number;
  resyncMs?: number;
  maxResyncsInFlight?: number;
  retapMs?: number;
  log: Logger;
}

/** The close of a candle update's JSON, without validating the rest (the publisher did). */
function closeOf(json: string): number | undefined {
  try {
    const close = (JSON.parse(json) as { close?: unknown }).close;
    return typeof close === "number" && Number.isFinite(close) ? close : undefined;
  } catch {
    return undefined;
  }
}

export function createLiveSparklines(options: LiveSparklinesOptions): SparklineSource {
  const { candles, tap, nowMs, log } = options;
  const { resyncMs, maxResyncsInFlight, retapMs } = { ...SPARKLINE_SNAPSHOT_DEFAULTS, ...options };
  const snapshot = new SparklineSnapshot({
    maxSymbols: options.maxSymbols ?? SPARKLINE_SNAPSHOT_DEFAULTS.maxSymbols,
    maxPoints: options.maxPoints ?? SPARKLINE_SNAPSHOT_DEFAULTS.maxPoints,
    maxBufferedUpdates: options.maxBufferedUpdates ?? SPARKLINE_SNAPSHOT_DEFAULTS.maxBufferedUpdates,
  });
  const counts = { loads: 0, resyncs: 0, updatesApplied: 0 };
  // One load per (symbol, day) at a time; a read that needs more points than the one in flight asks waits, then loads again.
  const inFlight = new Map<string, { count: number; done: Promise<void> }>();
  let resyncsInFlight = 0;
  let untap: (() => void) | undefined;
  let tappedAtMs = -Infinity;
  let closed = false;

  const listener: LiveTap = {
    onLive: () => snapshot.live(),
    onGap: () => snapshot.gap(),
    onEntries(entries: readonly LiveEntry[]) {
      for (const { route, json } of entries) {
        if (route.type !== "candle" || route.interval !== "1m" || route.windowStart === undefined || !snapshot.wants(route.symbol))
          continue;
        const close = closeOf(json);
        if (close === undefined) continue;
        snapshot.apply(route.symbol, { windowStartMs: route.windowStart, close });
        counts.updatesApplied++;
      }
    },
  };

  function ensureFed(): void {
    if (closed || snapshot.isLive || nowMs() - tappedAtMs < retapMs) return;
    tappedAtMs = nowMs();
    untap?.();
    try {
      untap = tap(listener);
    } catch (error) {
      untap = undefined;
      log.warn({ err: error }, "sparkline snapshot could not tap the live stream; reading sparklines from Cassandra");
    }
  }

  /** The newest `count` 1m closes of `symbol` on `day` (no upper bound on the window: the snapshot filters). */
  function readCloses(symbol: string, day: string, count: number): Promise<ClosePoint[]> {
    return candles.newestCloses(symbol, "1m", day, count);
  }

  function load(symbol: string, day: string, count: number): Promise<void> {
    const key = `${symbol}\u0000${day}`;
    const running = inFlight.get(key);
    if (running && running.count >= count) return running.done;
    // Registered before the read starts, so every update published after the rows it reads is kept.
    const pending: SparklineLoad = snapshot.beginLoad(symbol, day, count);
    counts.loads++;
    const done = readCloses(symbol, day, pending.count).then(
      (rows) => {
        snapshot.finishLoad(pending, rows, nowMs());
      },
      (error: unknown) => {
        snapshot.finishLoad(pending, undefined, nowMs());
        throw error;
      },
    );
    const entry = { count: pending.count, done };
    inFlight.set(key, entry);
    void done.then(
      () => inFlight.get(key) === entry && inFlight.delete(key),
      () => inFlight.get(key) === entry && inFlight.delete(key),
    );
    return done;
  }

  return {
    async read(symbol, tsMs, points) {
      ensureFed();
      const held = snapshot.read(symbol, tsMs, points);
      if (held !== undefined || !snapshot.isLive) return held;
      await load(symbol, dayKey(tsMs), snapshot.loadCount(points));
      return snapshot.read(symbol, tsMs, points);
    },

    resync() {
      if (closed || !snapshot.isLive || resyncsInFlight >= maxResyncsInFlight) return;
      for (const { symbol, day, count } of snapshot.stale(nowMs(), resyncMs, maxResyncsInFlight - resyncsInFlight)) {
        resyncsInFlight++;
        counts.resyncs++;
        load(symbol, day, count)
          .catch((error: unknown) => log.warn({ err: error, symbol }, "sparkline resync failed; the held series stays until the next"))
          .finally(() => resyncsInFlight--);
      }
    },

    stats() {
      return { symbols: snapshot.size, live: snapshot.isLive, ...counts };
    },

    close() {
      closed = true;
      untap?.();
      untap = undefined;
      snapshot.gap();
    },
  };
}
