// The cap on calls per tRPC batch request (TRPC_MAX_BATCH_SIZE): one GET or POST may otherwise carry
// any number of procedure calls, each a database read. Checked before tRPC parses anything; the
// refusal is a 400 in tRPC's own error envelope, shaped as server/trpc.ts's errorFormatter shapes
// errors, with a message naming the limit (tRPC's built-in check says only "exceeds maximum size").
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { AppError } from "../errors";

/** Procedure calls in a tRPC request: the comma-separated paths after `endpoint` when `batch=1`, else 1. */
export function trpcCallCount(url: URL, endpoint: string): number {
  if (url.searchParams.get("batch") !== "1") return 1;
  const path = url.pathname.startsWith(`${endpoint}/`) ? url.pathname.slice(endpoint.length + 1) : url.pathname;
  return path.split(",").length;
}

/** The error of a batch of `calls` over `maxCalls`. */
export function batchTooLargeError(calls: number, maxCalls: number): AppError {
  const message = `a tRPC batch may carry at most ${maxCalls} calls (TRPC_MAX_BATCH_SIZE); this one carries ${calls}: split it`;
  return new AppError("BAD_REQUEST", { message, retriable: false, fields: { batch: [message] } });
}

/** The refusal of a batch over the limit as status and JSON body, or undefined when `url` is within it. */
export function trpcBatchRefusal(url: URL, endpoint: string, maxCalls: number): { status: number; body: string } | undefined {
  const calls = trpcCallCount(url, endpoint);
  if (calls <= maxCalls) return undefined;
  const error = batchTooLargeError(calls, maxCalls);
  const body = {
    error: {
      message: error.message,
      code: TRPC_ERROR_CODES_BY_KEY.BAD_REQUEST,
      data: {
        code: error.trpcCode,
        httpStatus: error.status,
        appCode: error.code,
        retriable: error.retriable,
        fields: error.fields ?? null,
      },
    },
  };
  return { status: error.status, body: JSON.stringify(body) };
}

/** The 400 response of a batch over the limit, or undefined when `request` is within it. */
export function checkTrpcBatchSize(request: Request, endpoint: string, maxCalls: number): Response | undefined {
  const refusal = trpcBatchRefusal(new URL(request.url), endpoint, maxCalls);
  if (!refusal) return undefined;
  return new Response(refusal.body, {
    status: refusal.status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
