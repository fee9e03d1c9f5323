import { describe, expect, it } from "vitest";
import { classifyResume, type LiveRetention } from "./live-channel";

const trimmed: LiveRetention = { length: 100, firstId: "500-0", lastGeneratedId: "900-3", entriesAdded: 1_000 };

describe("classifyResume", () => {
  it("resumes from any id at or after the oldest retained entry", () => {
    expect(classifyResume("500-0", trimmed)).toBe("ok");
    expect(classifyResume("700-1", trimmed)).toBe("ok");
    expect(classifyResume("900-3", trimmed)).toBe("ok");
  });

  it("calls an id before the oldest retained entry too old once anything was trimmed", () => {
    expect(classifyResume("499-9", trimmed)).toBe("too-old");
    expect(classifyResume("0-0", trimmed)).toBe("too-old");
  });

  it("resumes from before the first entry when nothing was ever trimmed", () => {
    expect(classifyResume("0-0", { ...trimmed, entriesAdded: 100 })).toBe("ok");
  });

  it("is conservative when Redis does not report entries-added", () => {
    expect(classifyResume("0-0", { ...trimmed, entriesAdded: undefined })).toBe("too-old");
  });

  it("calls an id newer than the stream ever held unknown", () => {
    expect(classifyResume("900-4", trimmed)).toBe("unknown-id");
    expect(classifyResume("1-0", { length: 0, firstId: null, lastGeneratedId: "0-0", entriesAdded: 0 })).toBe("unknown-id");
  });

  it("handles an empty stream: fine at its last id, too old before it", () => {
    const emptied: LiveRetention = { length: 0, firstId: null, lastGeneratedId: "900-3", entriesAdded: 10 };
    expect(classifyResume("900-3", emptied)).toBe("ok");
    expect(classifyResume("800-0", emptied)).toBe("too-old");
    expect(classifyResume("0-0", { length: 0, firstId: null, lastGeneratedId: "0-0", entriesAdded: 0 })).toBe("ok");
  });
});
