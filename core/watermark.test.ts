import { describe, expect, it } from "vitest";
import { assignPartition, createWatermarkTracker, current, isIdle, observe, revokePartition } from "./watermark";

const LATENESS = 2_000;
const IDLE = 10_000;
const NOW = 1_700_000_000_000; // wall clock, unrelated to event time on purpose

function tracker() {
  return createWatermarkTracker({ allowedLatenessMs: LATENESS, idleTimeoutMs: IDLE });
}

describe("watermark tracker", () => {
  it("has no watermark before any partition has data", () => {
    const t = tracker();
    expect(current(t, NOW)).toBe(Number.NEGATIVE_INFINITY);
  });

  it("is the max event time minus the lateness for a single partition", () => {
    const t = tracker();
    observe(t, 0, 50_000, NOW);
    observe(t, 0, 40_000, NOW + 1); // out of order: does not pull it back
    expect(current(t, NOW + 1)).toBe(48_000);
  });

  it("is held back by the slowest active partition", () => {
    const t = tracker();
    observe(t, 0, 50_000, NOW);
    observe(t, 1, 20_000, NOW);
    expect(current(t, NOW)).toBe(18_000);
    observe(t, 1, 30_000, NOW + 1);
    expect(current(t, NOW + 1)).toBe(28_000);
  });

  it("stops waiting for a partition silent for exactly the idle timeout, not a millisecond before", () => {
    const t = tracker();
    observe(t, 0, 20_000, NOW);
    observe(t, 1, 50_000, NOW);
    observe(t, 1, 51_000, NOW + IDLE);
    expect(isIdle(t, 0, NOW + IDLE - 1)).toBe(false);
    expect(current(t, NOW + IDLE - 1)).toBe(18_000);
    expect(isIdle(t, 0, NOW + IDLE)).toBe(true);
    expect(current(t, NOW + IDLE)).toBe(49_000);
  });

  it("lets an idle partition rejoin on traffic without the watermark going back", () => {
    const t = tracker();
    observe(t, 0, 10_000, NOW);
    observe(t, 1, 100_000, NOW + IDLE);
    expect(current(t, NOW + IDLE)).toBe(98_000); // partition 0 idle

    observe(t, 0, 20_000, NOW + IDLE + 1); // back, but far behind
    expect(current(t, NOW + IDLE + 1)).toBe(98_000);
    observe(t, 1, 200_000, NOW + IDLE + 2);
    expect(current(t, NOW + IDLE + 2)).toBe(98_000); // partition 0 holds it again
    observe(t, 0, 150_000, NOW + IDLE + 3);
    expect(current(t, NOW + IDLE + 3)).toBe(148_000);
  });

  it("advances to the furthest partition when every partition is idle", () => {
    const t = tracker();
    observe(t, 0, 10_000, NOW);
    observe(t, 1, 30_000, NOW);
    expect(current(t, NOW)).toBe(8_000);
    expect(current(t, NOW + IDLE)).toBe(28_000);
  });

  it("holds the watermark for an assigned partition until it speaks or goes idle", () => {
    const t = tracker();
    observe(t, 0, 50_000, NOW);
    expect(current(t, NOW)).toBe(48_000);
    observe(t, 0, 60_000, NOW + 1);
    assignPartition(t, 7, NOW + 1);
    expect(current(t, NOW + 2)).toBe(48_000);
    observe(t, 7, 55_000, NOW + 3);
    expect(current(t, NOW + 3)).toBe(53_000);
    assignPartition(t, 7, NOW + 4); // already known: no reset
    expect(current(t, NOW + 4)).toBe(53_000);
  });

  it("releases the watermark when a lagging partition is revoked", () => {
    const t = tracker();
    observe(t, 0, 50_000, NOW);
    observe(t, "quotes-3", 20_000, NOW);
    expect(current(t, NOW)).toBe(18_000);
    revokePartition(t, "quotes-3");
    expect(current(t, NOW)).toBe(48_000);
    expect(isIdle(t, "quotes-3", NOW)).toBe(true);
  });

  it("does not make a partition idle sooner when the wall clock steps back", () => {
    const t = tracker();
    observe(t, 0, 10_000, NOW);
    observe(t, 1, 90_000, NOW);
    observe(t, 0, 11_000, NOW - 5_000); // clock stepped back
    expect(current(t, NOW + IDLE - 1)).toBe(9_000);
  });

  it("never decreases over a random interleaving of partitions, times and idleness", () => {
    const t = tracker();
    let seed = 12345;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    let now = NOW;
    let previous = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < 5_000; i++) {
      now += Math.floor(random() * 3_000);
      const partition = Math.floor(random() * 4);
      if (random() < 0.7) observe(t, partition, Math.floor(random() * 1_000_000), now);
      else if (random() < 0.05) revokePartition(t, partition);
      const watermark = current(t, now);
      expect(watermark).toBeGreaterThanOrEqual(previous);
      previous = watermark;
    }
    expect(t.partitions.size).toBeLessThanOrEqual(4);
  });

  it("refuses negative or non-finite settings and event times", () => {
    expect(() => createWatermarkTracker({ allowedLatenessMs: -1, idleTimeoutMs: 1 })).toThrow(RangeError);
    expect(() => createWatermarkTracker({ allowedLatenessMs: 0, idleTimeoutMs: Number.NaN })).toThrow(RangeError);
    expect(() => observe(tracker(), 0, Number.POSITIVE_INFINITY, NOW)).toThrow(RangeError);
  });
});
