import { describe, expect, it } from "vitest";
import { checkTrpcBatchSize, trpcCallCount } from "./trpc-batch-limit";

describe("trpcCallCount", () => {
  it("counts the comma-separated paths of a batch, and one call otherwise", () => {
    expect(trpcCallCount(new URL("http://x/api/trpc/a.b,c.d,e.f?batch=1"), "/api/trpc")).toBe(3);
    expect(trpcCallCount(new URL("http://x/api/trpc/a.b?batch=1"), "/api/trpc")).toBe(1);
    // Without batch=1 tRPC reads the path as one procedure name (and answers 404 for a list).
    expect(trpcCallCount(new URL("http://x/api/trpc/a.b,c.d"), "/api/trpc")).toBe(1);
  });
});

describe("checkTrpcBatchSize", () => {
  it("lets a batch at the limit through and answers one over it with a 400 naming the limit", async () => {
    expect(checkTrpcBatchSize(new Request("http://x/api/trpc/a,b?batch=1"), "/api/trpc", 2)).toBeUndefined();
    const response = checkTrpcBatchSize(new Request("http://x/api/trpc/a,b,c?batch=1"), "/api/trpc", 2);
    expect(response?.status).toBe(400);
    expect(await response?.json()).toMatchObject({
      error: { code: -32600, message: expect.stringContaining("at most 2 calls (TRPC_MAX_BATCH_SIZE)") as unknown },
    });
  });
});
