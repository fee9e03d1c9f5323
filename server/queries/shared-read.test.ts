import { describe, expect, it } from "vitest";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";

function contextAt(clock: { now: number }, ttlMs?: number): QueryContext {
  return {
    keyspace: "ks",
    market: undefined as never,
    volModels: undefined as never,
    nowMs: () => clock.now,
    ...(ttlMs === undefined ? {} : { sharedReadTtlMs: ttlMs }),
  };
}

describe("sharedRead", () => {
  it("runs once for concurrent equal inputs within the TTL and again after it", async () => {
    const clock = { now: 1_000 };
    let runs = 0;
    const read = sharedRead("t", (_ctx, input: { symbol: string }) => {
      runs += 1;
      return Promise.resolve(`${input.symbol}#${runs}`);
    });
    const ctx = contextAt(clock, 500);
    expect(await Promise.all([read(ctx, { symbol: "IBM" }), read(ctx, { symbol: "IBM" })])).toEqual(["IBM#1", "IBM#1"]);
    expect(await read(ctx, { symbol: "AAPL" })).toBe("AAPL#2");
    clock.now += 499;
    expect(await read(ctx, { symbol: "IBM" })).toBe("IBM#1");
    clock.now += 1;
    expect(await read(ctx, { symbol: "IBM" })).toBe("IBM#3");
  });

  it("does not keep a failure for later callers", async () => {
    const clock = { now: 0 };
    let runs = 0;
    const read = sharedRead("t", () => {
      runs += 1;
      return runs === 1 ? Promise.reject(new Error("down")) : Promise.resolve("ok");
    });
    const ctx = contextAt(clock, 10_000);
    await expect(read(ctx, {})).rejects.toThrow("down");
    expect(await read(ctx, {})).toBe("ok");
  });

  it("does not share at all when the context sets no TTL", async () => {
    let runs = 0;
    const read = sharedRead("t", () => Promise.resolve((runs += 1)));
    const ctx = contextAt({ now: 0 });
    expect([await read(ctx, {}), await read(ctx, {})]).toEqual([1, 2]);
  });
});

describe("sharedRead refresh ahead of expiry", () => {
  it("serves the current result while a refresh runs past half the TTL, then the refreshed one", async () => {
    const clock = { now: 0 };
    const reads: Array<{ startedAt: number; resolve: (value: number) => void }> = [];
    const read = sharedRead("t", () => new Promise<number>((resolve) => reads.push({ startedAt: clock.now, resolve })));
    const ctx = contextAt(clock, 1_000);
    const first = read(ctx, {});
    reads[0]?.resolve(0);
    expect(await first).toBe(0);
    clock.now = 600;
    expect(await read(ctx, {})).toBe(0);
    expect(reads).toHaveLength(2);
    // Still refreshing: no second refresh, the current result again.
    clock.now = 700;
    expect(await read(ctx, {})).toBe(0);
    expect(reads).toHaveLength(2);
    reads[1]?.resolve(600);
    await Promise.resolve();
    clock.now = 800;
    expect(await read(ctx, {})).toBe(600);
  });

  it("never hands out a result whose read started a TTL or more ago", async () => {
    const clock = { now: 0 };
    const reads: Array<{ startedAt: number; resolve: (value: number) => void }> = [];
    const read = sharedRead("t", () => new Promise<number>((resolve) => reads.push({ startedAt: clock.now, resolve })));
    const ctx = contextAt(clock, 1_000);
    const served: Array<{ at: number; value: Promise<number> }> = [];
    for (clock.now = 0; clock.now < 5_000; clock.now += 50) {
      served.push({ at: clock.now, value: read(ctx, {}) });
      // Reads take 300 ms of the fake clock: settle every read that started that long ago.
      for (const pending of reads) if (clock.now - pending.startedAt >= 300) pending.resolve(pending.startedAt);
      await Promise.resolve();
    }
    for (const pending of reads) pending.resolve(pending.startedAt);
    for (const { at, value } of served) expect(at - (await value)).toBeLessThan(1_000);
    // One read at a time (each takes 300 ms), not one per caller.
    expect(reads.length).toBeLessThanOrEqual(5_000 / 300 + 1);
    expect(served.length).toBe(100);
  });

  it("keeps the current result when a refresh fails, and reads anew after the TTL", async () => {
    const clock = { now: 0 };
    let runs = 0;
    const read = sharedRead("t", () => {
      runs += 1;
      return runs === 2 ? Promise.reject(new Error("down")) : Promise.resolve(runs);
    });
    const ctx = contextAt(clock, 1_000);
    expect(await read(ctx, {})).toBe(1);
    clock.now = 600;
    expect(await read(ctx, {})).toBe(1);
    await Promise.resolve();
    clock.now = 900;
    // The failed refresh is forgotten: a new one starts and the current result is still served.
    expect(await read(ctx, {})).toBe(1);
    await Promise.resolve();
    clock.now = 1_000;
    expect(await read(ctx, {})).toBe(3);
  });
});

describe("sharedRead with slow reads", () => {
  it("starts the refresh earlier by twice the last read's duration", async () => {
    const clock = { now: 0 };
    let runs = 0;
    const read = sharedRead("t", async () => {
      runs += 1;
      // Each read takes 400 ms of the fake clock.
      clock.now += 400;
      return Promise.resolve(runs);
    });
    const ctx = contextAt(clock, 1_000);
    expect(await read(ctx, {})).toBe(1);
    // Started at 0, took 400 ms: refresh from 1000 − 800 = 200 ms on, not from 500.
    clock.now = 199;
    await read(ctx, {});
    expect(runs).toBe(1);
    clock.now = 200;
    expect(await read(ctx, {})).toBe(1);
    expect(runs).toBe(2);
  });
});
