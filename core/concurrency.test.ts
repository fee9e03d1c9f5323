import { describe, expect, it } from "vitest";
import { mapConcurrent } from "./concurrency";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("mapConcurrent", () => {
  it("keeps input order and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      for (let k = 0; k < n; k++) await tick();
      running--;
      return `${i}:${n * 10}`;
    });
    expect(out).toEqual(["0:50", "1:10", "2:40", "3:20", "4:30", "5:0"]);
    expect(peak).toBe(2);
  });

  it("rejects with the first error once the calls in flight settle, and starts no new ones", async () => {
    const started: number[] = [];
    let settled = 0;
    const run = mapConcurrent([0, 1, 2, 3, 4], 2, async (n) => {
      started.push(n);
      await tick();
      settled++;
      if (n === 0) throw new Error("boom 0");
      return n;
    });
    await expect(run).rejects.toThrow("boom 0");
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(2);
  });

  it("refuses a concurrency below one", async () => {
    await expect(mapConcurrent([1], 0, () => Promise.resolve(1))).rejects.toThrow(RangeError);
  });
});
