// Event-time watermark over several partitions: the slowest active partition holds it back, an
// idle one stops doing so until it has traffic again, and it never goes backwards. Wall time is
// passed in (`nowMs`) and is used only to judge idleness. Memory: one entry per partition.

export type PartitionId = string | number;

export type WatermarkTrackerConfig = {
  allowedLatenessMs: number;
  /** A partition silent for this long (wall time) no longer holds the watermark back. */
  idleTimeoutMs: number;
};

type PartitionState = {
  /** -Infinity for a partition assigned but not yet heard from. */
  maxEventTsMs: number;
  lastSeenNowMs: number;
};

/** Mutable tracker state; change it only through this module. */
export type WatermarkTracker = {
  readonly allowedLatenessMs: number;
  readonly idleTimeoutMs: number;
  readonly partitions: Map<PartitionId, PartitionState>;
  emittedMs: number;
};

/** Creates a tracker with no partitions; its watermark starts at -Infinity. */
export function createWatermarkTracker(config: WatermarkTrackerConfig): WatermarkTracker {
  for (const [name, value] of Object.entries(config)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
  return {
    allowedLatenessMs: config.allowedLatenessMs,
    idleTimeoutMs: config.idleTimeoutMs,
    partitions: new Map(),
    emittedMs: Number.NEGATIVE_INFINITY,
  };
}

/** Records an event of `partition` at event time `eventTsMs`, received at wall time `nowMs`. */
export function observe(tracker: WatermarkTracker, partition: PartitionId, eventTsMs: number, nowMs: number): void {
  if (!Number.isFinite(eventTsMs)) throw new RangeError(`eventTsMs must be finite, got ${eventTsMs}`);
  const state = tracker.partitions.get(partition);
  if (state === undefined) {
    tracker.partitions.set(partition, { maxEventTsMs: eventTsMs, lastSeenNowMs: nowMs });
    return;
  }
  if (eventTsMs > state.maxEventTsMs) state.maxEventTsMs = eventTsMs;
  // A wall clock stepping back must not make a live partition look idle sooner.
  if (nowMs > state.lastSeenNowMs) state.lastSeenNowMs = nowMs;
}

/**
 * Registers a partition just assigned (e.g. after a rebalance) before its first message, so it
 * holds the watermark back until it speaks or goes idle, instead of its backlog arriving late.
 */
export function assignPartition(tracker: WatermarkTracker, partition: PartitionId, nowMs: number): void {
  if (!tracker.partitions.has(partition)) {
    tracker.partitions.set(partition, { maxEventTsMs: Number.NEGATIVE_INFINITY, lastSeenNowMs: nowMs });
  }
}

/** Forgets a partition (revoked in a rebalance), so it no longer counts at all. */
export function revokePartition(tracker: WatermarkTracker, partition: PartitionId): void {
  tracker.partitions.delete(partition);
}

/** True when `partition` has had no message for `idleTimeoutMs` of wall time (unknown ones are idle). */
export function isIdle(tracker: WatermarkTracker, partition: PartitionId, nowMs: number): boolean {
  const state = tracker.partitions.get(partition);
  return state === undefined || nowMs - state.lastSeenNowMs >= tracker.idleTimeoutMs;
}

/**
 * The watermark at wall time `nowMs`: min over active partitions of (max event ts - allowed
 * lateness). When every partition is idle it is the max of that over all of them, so the last
 * windows still close when traffic stops. Never lower than a value returned before; -Infinity
 * until some partition has data. Records what it returns, hence the tracker argument is mutated.
 */
export function current(tracker: WatermarkTracker, nowMs: number): number {
  let minActive = Number.POSITIVE_INFINITY;
  let maxAll = Number.NEGATIVE_INFINITY;
  let anyActive = false;
  for (const state of tracker.partitions.values()) {
    const candidate = state.maxEventTsMs - tracker.allowedLatenessMs;
    if (candidate > maxAll) maxAll = candidate;
    if (nowMs - state.lastSeenNowMs < tracker.idleTimeoutMs) {
      anyActive = true;
      if (candidate < minActive) minActive = candidate;
    }
  }
  const computed = anyActive ? minActive : maxAll;
  if (computed > tracker.emittedMs) tracker.emittedMs = computed;
  return tracker.emittedMs;
}
