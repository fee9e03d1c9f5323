import { describe, expect, it } from "vitest";
import { RingBuffer } from "./ring-buffer";

describe("RingBuffer", () => {
  it("starts empty", () => {
    const buffer = new RingBuffer<number>(3);
    expect(buffer.size).toBe(0);
    expect(buffer.isFull).toBe(false);
    expect(buffer.at(0)).toBeUndefined();
    expect(buffer.last()).toBeUndefined();
    expect(buffer.toArray()).toEqual([]);
  });

  it("keeps items oldest first until full, evicting nothing", () => {
    const buffer = new RingBuffer<string>(3);
    expect(buffer.push("a")).toBeUndefined();
    expect(buffer.push("b")).toBeUndefined();
    expect(buffer.push("c")).toBeUndefined();
    expect(buffer.isFull).toBe(true);
    expect(buffer.toArray()).toEqual(["a", "b", "c"]);
  });

  it("drops and returns the oldest item when pushing into a full buffer", () => {
    const buffer = new RingBuffer<number>(3);
    for (const x of [1, 2, 3]) buffer.push(x);
    expect(buffer.push(4)).toBe(1);
    expect(buffer.push(5)).toBe(2);
    expect(buffer.toArray()).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(3);
    expect(buffer.at(0)).toBe(3);
    expect(buffer.last()).toBe(5);
  });

  it("never holds more than its capacity however much is pushed", () => {
    const buffer = new RingBuffer<number>(4);
    for (let i = 0; i < 10_003; i++) buffer.push(i);
    expect(buffer.size).toBe(4);
    expect(buffer.toArray()).toEqual([9_999, 10_000, 10_001, 10_002]);
  });

  it("works with capacity one", () => {
    const buffer = new RingBuffer<number>(1);
    expect(buffer.push(1)).toBeUndefined();
    expect(buffer.push(2)).toBe(1);
    expect(buffer.toArray()).toEqual([2]);
  });

  it("answers undefined for indexes outside what it holds", () => {
    const buffer = new RingBuffer<number>(3);
    buffer.push(7);
    expect(buffer.at(-1)).toBeUndefined();
    expect(buffer.at(1)).toBeUndefined();
    expect(buffer.at(0.5)).toBeUndefined();
  });

  it("clears back to empty and fills again from the start", () => {
    const buffer = new RingBuffer<number>(2);
    for (const x of [1, 2, 3]) buffer.push(x);
    buffer.clear();
    expect(buffer.size).toBe(0);
    buffer.push(9);
    expect(buffer.toArray()).toEqual([9]);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(2.5)).toThrow(RangeError);
  });
});
