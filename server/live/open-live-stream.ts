// GET /api/stream as a web Response (Next's route handler, used by `next dev` and `next start`; the
// production web server answers the route on node:http instead, serve-live-stream.ts).
import { parseLiveStreamRequest, RETRY_AFTER_S, SSE_HEADERS } from "./parse-live-stream-request";
import { SseHubFullError, type SseHub } from "./sse-hub";

/** The SSE response for `request` (400 naming the bad field, 503 when a connection cap is reached). */
export function openLiveStream(request: Request, hub: SseHub): Response {
  const parsed = parseLiveStreamRequest(new URL(request.url).searchParams, request.headers.get("last-event-id"));
  if (!parsed.ok) return Response.json(parsed.body, { status: 400, headers: { "cache-control": "no-store" } });

  let body: ReadableStream<Uint8Array>;
  try {
    // No peer address here (Next hides the socket): the per-address cap applies on the node:http path.
    body = hub.connect(parsed.subscription, { lastEventId: parsed.lastEventId, request });
  } catch (error) {
    if (error instanceof SseHubFullError) {
      return Response.json(
        { error: error.message, limit: error.limit, max: error.max },
        { status: 503, headers: { "retry-after": String(RETRY_AFTER_S[error.limit]), "cache-control": "no-store" } },
      );
    }
    throw error;
  }
  return new Response(body, { headers: SSE_HEADERS });
}
