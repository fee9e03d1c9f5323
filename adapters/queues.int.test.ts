import type { Job } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { testLog, uniqueName } from "../test/helpers";
import { getConfig } from "./config";
import { createQueue, createQueueEvents, createWorker } from "./queues";
import { createRedis } from "./redis";

const config = getConfig();
const prefix = uniqueName("test");
const connection = createRedis(config.redis.url, "worker", testLog);
const ctx = { connection, prefix };
const closers: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  connection.disconnect();
});

describe("BullMQ on the real Redis", () => {
  it("runs a job through a worker and returns its result and progress", async () => {
    const queue = createQueue<{ numbers: number[] }, { sum: number }>("roundtrip", ctx);
    const events = createQueueEvents("roundtrip", ctx);
    const progressSeen: number[] = [];
    const worker = createWorker<{ numbers: number[] }, { sum: number }>(
      "roundtrip",
      async (job: Job<{ numbers: number[] }>) => {
        await job.updateProgress(50);
        return { sum: job.data.numbers.reduce((a, b) => a + b, 0) };
      },
      ctx,
    );
    closers.push(
      () => queue.obliterate({ force: true }).then(() => queue.close()),
      () => events.close(),
      () => worker.close(),
    );
    events.on("progress", ({ data }) => progressSeen.push(Number(data)));
    await events.waitUntilReady();

    const job = await queue.add("sum", { numbers: [1, 2, 3, 4.5] }, { attempts: 2 });
    const result = await job.waitUntilFinished(events, 30_000);

    expect(result).toEqual({ sum: 10.5 });
    expect(progressSeen).toContain(50);
    expect(await queue.getJobCounts("completed")).toEqual({ completed: 1 });
  });

  it("retries a failing job and records the error", async () => {
    const queue = createQueue<{ n: number }>("retry", ctx);
    const events = createQueueEvents("retry", ctx);
    let calls = 0;
    const worker = createWorker<{ n: number }>(
      "retry",
      () => {
        calls += 1;
        if (calls === 1) throw new Error("first attempt fails");
        return Promise.resolve("ok");
      },
      ctx,
    );
    closers.push(
      () => queue.obliterate({ force: true }).then(() => queue.close()),
      () => events.close(),
      () => worker.close(),
    );
    await events.waitUntilReady();
    const job = await queue.add("flaky", { n: 1 }, { attempts: 3, backoff: { type: "fixed", delay: 50 } });
    expect(await job.waitUntilFinished(events, 30_000)).toBe("ok");
    const finished = await queue.getJob(job.id ?? "");
    expect(finished?.attemptsMade).toBe(2);
    expect(finished?.stacktrace?.[0]).toContain("first attempt fails");
  });
});
