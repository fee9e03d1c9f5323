import { describe, expect, it } from "vitest";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";

function contextAt(clock: { now: number }, ttlMs?: number): QueryContext {
  return { client: undefined as never, keyspace: "ks", nowMs: () => clock.now, ...(ttlMs === undefined ? {} : { sharedReadTtlMs: ttlMs }) };
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
