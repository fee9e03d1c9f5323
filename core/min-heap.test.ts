import { describe, expect, it } from "vitest";
import { MinHeap } from "./min-heap";

describe("MinHeap", () => {
  it("is empty at first", () => {
    const heap = new MinHeap<number>((a, b) => a - b);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
  });

  it("pops items in ascending order, duplicates included", () => {
    const heap = new MinHeap<number>((a, b) => a - b);
    const input = [5, 3, 9, 1, 3, 8, 2, 7, 1, 0, 6];
    for (const x of input) heap.push(x);
    expect(heap.size).toBe(input.length);
    const out: number[] = [];
    for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x);
    expect(out).toEqual([...input].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
  });

  it("keeps order when pushes and pops interleave", () => {
    const heap = new MinHeap<number>((a, b) => a - b);
    heap.push(4);
    heap.push(2);
    expect(heap.pop()).toBe(2);
    heap.push(1);
    heap.push(3);
    expect(heap.peek()).toBe(1);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual([1, 3, 4, undefined]);
  });

  it("uses the given order, e.g. on a tuple key", () => {
    const heap = new MinHeap<[number, string]>((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const item of [
      [2, "b"],
      [1, "z"],
      [2, "a"],
    ] as [number, string][])
      heap.push(item);
    expect([heap.pop(), heap.pop(), heap.pop()]).toEqual([
      [1, "z"],
      [2, "a"],
      [2, "b"],
    ]);
    expect(heap.toArray()).toEqual([]);
  });
});
