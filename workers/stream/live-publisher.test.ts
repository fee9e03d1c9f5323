import pino from "pino";
import { describe, expect, it } from "vitest";
import type { LiveUpdate, PriceUpdate } from "../../core/live-updates";
import { createLivePublisher } from "./live-publisher";

const log = pino({ level: "silent" });
const price = (symbol: string, last: number): PriceUpdate => ({ type: "price", symbol, ts: 1_718_000_000_000 + last, last });

/** A publish whose calls stay pending until the test settles them. */
function controlledPublish() {
  const calls: { updates: LiveUpdate[]; resolve: () => void; reject: (error: Error) => void }[] = [];
  const publish = (updates: readonly LiveUpdate[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ updates: [...updates], resolve, reject });
    });
  return { calls, publish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("live publisher", () => {
  it("keeps one publish in flight and sends what came meanwhile next, newest per key, in order", async () => {
    const { calls, publish } = controlledPublish();
    const live = createLivePublisher({ publish, log });
    live.offer([price("A", 1), price("B", 1)]);
    await tick();
    expect(calls).toHaveLength(1);
    live.offer([price("A", 2), price("C", 1)]);
    live.offer([price("A", 3)]);
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]?.resolve();
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.updates).toEqual([price("C", 1), price("A", 3)]);
    calls[1]?.resolve();
    expect(await live.flush(1_000)).toBe(true);
    expect(live.stats()).toEqual({ published: 4, errors: 0, dropped: 0, conflated: 1 });
  });

  it("counts and drops a failed publish without retrying it, and goes on with the next updates", async () => {
    let attempts = 0;
    const sent: LiveUpdate[][] = [];
    const live = createLivePublisher({
      log,
      publish: (updates) => {
        attempts++;
        if (attempts === 1) return Promise.reject(new Error("redis down"));
        sent.push([...updates]);
        return Promise.resolve();
      },
    });
    live.offer([price("A", 1)]);
    expect(await live.flush(1_000)).toBe(true);
    live.offer([price("A", 2)]);
    expect(await live.flush(1_000)).toBe(true);
    expect(attempts).toBe(2);
    expect(sent).toEqual([[price("A", 2)]]);
    expect(live.stats()).toMatchObject({ published: 1, errors: 1, dropped: 1 });
  });

  it("survives a publish that throws synchronously", async () => {
    let calls = 0;
    const live = createLivePublisher({
      log,
      publish: () => {
        calls++;
        throw new Error("invalid update");
      },
    });
    live.offer([price("A", 1)]);
    expect(await live.flush(1_000)).toBe(true);
    live.offer([price("A", 2)]);
    expect(await live.flush(1_000)).toBe(true);
    expect(calls).toBe(2);
    expect(live.stats()).toMatchObject({ errors: 2, dropped: 2 });
  });

  it("holds at most maxPending updates while the channel hangs, dropping the oldest", async () => {
    const { calls, publish } = controlledPublish();
    const live = createLivePublisher({ publish, log, maxPending: 3 });
    live.offer([price("A", 1)]);
    await tick();
    for (const symbol of ["B", "C", "D", "E", "F"]) live.offer([price(symbol, 1)]);
    expect(live.stats().dropped).toBe(2);
    expect(await live.flush(50)).toBe(false);
    calls[0]?.resolve();
    await tick();
    expect(calls[1]?.updates.map((u) => u.symbol)).toEqual(["D", "E", "F"]);
    calls[1]?.resolve();
    expect(await live.flush(1_000)).toBe(true);
  });

  it("drops the oldest state updates before any alert when over maxPending", async () => {
    const { calls, publish } = controlledPublish();
    const live = createLivePublisher({ publish, log, maxPending: 3 });
    live.offer([price("A", 1)]);
    await tick();
    const alert: LiveUpdate = { type: "alert", symbol: "B", ts: 1, kind: "price_jump", severity: "warning", message: "jump" };
    live.offer([alert, price("C", 1), price("D", 1), price("E", 1)]);
    expect(live.stats().dropped).toBe(1);
    calls[0]?.resolve();
    await tick();
    expect(calls[1]?.updates.map((u) => `${u.type}:${u.symbol}`)).toEqual(["alert:B", "price:D", "price:E"]);
    calls[1]?.resolve();
    expect(await live.flush(1_000)).toBe(true);
  });
});
