// Hands the stream worker's live updates to the live channel off the batch path: one publish in
// flight at a time (so updates keep their order), newer updates conflated per key while it runs,
// a failed publish logged, counted and dropped (Cassandra is the source of truth; clients reload
// history on snapshot-required), never retried and never awaited by an offset commit.
import type { Logger } from "../../adapters/logger";
import { latestPerKey, type LiveUpdate } from "../../core/live-updates";

export type LivePublishFn = (updates: readonly LiveUpdate[]) => Promise<unknown>;

export type LivePublisherStats = {
  /** Updates the channel accepted. */
  published: number;
  /** Publish calls that failed (their updates are dropped). */
  errors: number;
  /** Updates lost: in a failed publish, or the oldest beyond `maxPending` while the channel was slow. */
  dropped: number;
  /** Updates replaced by a newer one of the same key before they were sent. */
  conflated: number;
};

export type LivePublisher = {
  /** Queues updates (in order) for the next publish; returns at once. */
  offer(updates: readonly LiveUpdate[]): void;
  /** Resolves when nothing is queued or in flight, or after `timeoutMs` (false then). */
  flush(timeoutMs?: number): Promise<boolean>;
  stats(): Readonly<LivePublisherStats>;
};

export type LivePublisherOptions = {
  publish: LivePublishFn;
  log: Logger;
  /** Updates held while a publish is in flight; beyond it (after conflation) the oldest are dropped. */
  maxPending?: number;
  /** Wall clock (ms), for spacing repeated error logs. */
  now?: () => number;
};

const ERROR_LOG_EVERY_MS = 10_000;

export function createLivePublisher(options: LivePublisherOptions): LivePublisher {
  const { publish, log, maxPending = 10_000 } = options;
  const now = options.now ?? Date.now;
  const stats: LivePublisherStats = { published: 0, errors: 0, dropped: 0, conflated: 0 };
  let pending: LiveUpdate[] = [];
  let draining: Promise<void> | undefined;
  // Repeated failures (Redis down) log once per ERROR_LOG_EVERY_MS with what happened since.
  let lastLogMs = Number.NEGATIVE_INFINITY;
  let failuresSinceLog = 0;
  let droppedSinceLog = 0;
  const noteLoss = (dropped: number, failure?: { error: unknown }) => {
    if (failure !== undefined) {
      stats.errors++;
      failuresSinceLog++;
    }
    stats.dropped += dropped;
    droppedSinceLog += dropped;
    if (now() - lastLogMs < ERROR_LOG_EVERY_MS) return;
    log.warn(
      { err: failure?.error, failedPublishes: failuresSinceLog, droppedUpdates: droppedSinceLog, maxPending },
      failure !== undefined
        ? "live publish failed; updates dropped (Cassandra has them)"
        : "live channel too slow; oldest pending updates dropped",
    );
    lastLogMs = now();
    failuresSinceLog = 0;
    droppedSinceLog = 0;
  };

  const conflate = (updates: LiveUpdate[]): LiveUpdate[] => {
    const conflated = latestPerKey(updates);
    stats.conflated += updates.length - conflated.length;
    return conflated;
  };

  const drain = async (): Promise<void> => {
    try {
      while (pending.length > 0) {
        const next = conflate(pending);
        pending = [];
        try {
          await publish(next);
          stats.published += next.length;
        } catch (error) {
          noteLoss(next.length, { error });
        }
      }
    } finally {
      draining = undefined;
    }
  };

  return {
    offer(updates) {
      if (updates.length === 0) return;
      pending.push(...updates);
      if (pending.length > maxPending) {
        // The channel is slower than the worker (or down and waiting to reconnect): keep the newest.
        pending = conflate(pending);
        if (pending.length > maxPending) {
          const excess = pending.length - maxPending;
          // Alerts are events no newer update repeats: the oldest state updates go first.
          let toDrop = excess;
          pending = pending.filter((u) => u.type === "alert" || toDrop-- <= 0);
          if (pending.length > maxPending) pending = pending.slice(pending.length - maxPending);
          noteLoss(excess);
        }
      }
      // Deferred one microtask so `draining` is set before a synchronously failing publish ends it.
      draining ??= Promise.resolve().then(drain);
    },
    async flush(timeoutMs = 5_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        for (;;) {
          const current = draining;
          if (current === undefined) return pending.length === 0;
          if ((await Promise.race([current.then(() => true as const), timeout])) === false) return false;
        }
      } finally {
        clearTimeout(timer);
      }
    },
    stats: () => ({ ...stats }),
  };
}
