import { describe, expect, it } from "vitest";
import { progressPercent, summarizeJob, type JobLike } from "./job-view";

const job: JobLike = {
  id: "7",
  name: "archive",
  data: { day: "2026-11-26" },
  progress: 40,
  attemptsMade: 1,
  opts: { attempts: 3 },
  timestamp: 1_000,
  processedOn: 2_000,
};

describe("job summary", () => {
  it("reads a number or { percent } as progress, clamped and rounded", () => {
    expect(progressPercent(42.6, "active")).toBe(43);
    expect(progressPercent(140, "active")).toBe(100);
    expect(progressPercent(-3, "active")).toBe(0);
    expect(progressPercent({ percent: 55 }, "active")).toBe(55);
    expect(progressPercent({ symbols: 3 }, "active")).toBe(0);
  });

  it("shows a completed job that reported no progress as done", () => {
    expect(progressPercent(0, "completed")).toBe(0);
    expect(progressPercent({}, "completed")).toBe(100);
  });

  it("measures an active job's duration up to now and a finished one's up to its end", () => {
    expect(summarizeJob(job, "active", 5_500).durationMs).toBe(3_500);
    expect(summarizeJob({ ...job, finishedOn: 4_000 }, "completed", 99_000).durationMs).toBe(2_000);
    expect(summarizeJob({ ...job, processedOn: undefined }, "waiting", 5_500).durationMs).toBeNull();
  });

  it("carries attempts, the failure reason and the payload", () => {
    const summary = summarizeJob({ ...job, failedReason: "cancelled", finishedOn: 3_000 }, "failed", 9_000);
    expect(summary).toMatchObject({
      id: "7",
      name: "archive",
      state: "failed",
      attemptsMade: 1,
      maxAttempts: 3,
      error: "cancelled",
      data: { day: "2026-11-26" },
      createdAtMs: 1_000,
    });
    expect(summarizeJob({ ...job, failedReason: "" }, "active", 9_000).error).toBeNull();
  });
});
