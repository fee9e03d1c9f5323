import { describe, expect, it } from "vitest";
import { coPartitionedAssignment } from "./co-partitioned-assigner";

describe("coPartitionedAssignment", () => {
  it("gives partition N of every topic to one member and spreads the numbers evenly", () => {
    const topics = new Map([
      ["t", [0, 1, 2, 3, 4, 5]],
      ["q", [0, 1, 2, 3, 4, 5]],
    ]);
    const out = coPartitionedAssignment(["m2", "m1"], topics);
    expect(out.get("m1")).toEqual({ t: [0, 2, 4], q: [0, 2, 4] });
    expect(out.get("m2")).toEqual({ t: [1, 3, 5], q: [1, 3, 5] });
  });

  it("assigns everything to a single member, and nothing to members beyond the partitions", () => {
    const out = coPartitionedAssignment(["a", "b", "c"], new Map([["t", [0, 1]]]));
    expect(out.get("a")).toEqual({ t: [0] });
    expect(out.get("b")).toEqual({ t: [1] });
    expect(out.get("c")).toEqual({});
  });
});
