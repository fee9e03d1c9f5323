import { describe, expect, it } from "vitest";
import { getConfig } from "../../../../adapters/config";
import { DASHBOARD_TRPC_BATCH_CALLS } from "../../../../core/api-limits";
import { GET, POST } from "./route";

const maxCalls = getConfig().api.trpcMaxBatchSize;

/** A batch URL of `calls` symbols.get calls, each with an input that fails validation before any database read. */
function batchUrl(calls: number): string {
  const paths = Array.from({ length: calls }, () => "symbols.get").join(",");
  const input = Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { symbol: "not a symbol" }]));
  return `http://localhost/api/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}

interface TrpcErrorBody {
  error: { message: string; code: number; data: { code: string; httpStatus: number; appCode: string; fields: Record<string, string[]> } };
}

describe("tRPC batch size limit (no servers)", () => {
  it("answers a GET batch over TRPC_MAX_BATCH_SIZE with a 400 naming the limit, before running any call", async () => {
    const response = await GET(new Request(batchUrl(maxCalls + 1)));
    expect(response.status).toBe(400);
    const body = (await response.json()) as TrpcErrorBody;
    expect(body.error.message).toBe(
      `a tRPC batch may carry at most ${maxCalls} calls (TRPC_MAX_BATCH_SIZE); this one carries ${maxCalls + 1}: split it`,
    );
    expect(body.error.data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      appCode: "BAD_REQUEST",
      fields: { batch: [body.error.message] },
    });
  });

  it("refuses a POST batch over the limit the same way (150 ingest calls)", async () => {
    const paths = Array.from({ length: 150 }, () => "ingest.trades").join(",");
    const response = await POST(
      new Request(`http://localhost/api/trpc/${paths}?batch=1`, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      }),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as TrpcErrorBody).error.message).toMatch(
      /at most \d+ calls \(TRPC_MAX_BATCH_SIZE\); this one carries 150/,
    );
  });

  it("runs a batch at the limit call by call, and the dashboard's batches fit under it", async () => {
    const response = await GET(new Request(batchUrl(maxCalls)));
    const body = (await response.json()) as TrpcErrorBody[];
    expect(body).toHaveLength(maxCalls);
    expect(body.every((item) => item.error.data.appCode === "BAD_REQUEST" && "symbol" in item.error.data.fields)).toBe(true);
    expect(DASHBOARD_TRPC_BATCH_CALLS).toBeLessThanOrEqual(maxCalls);
  });
});
