// GET /api/stream: validates the subscription and resume id, then hands the client to the hub.
import { liveStreamQuerySchema, toSubscription } from "../../core/live-updates";
import { SseHubFullError, type SseHub } from "./sse-hub";

const LIST_PARAMS = ["symbols", "intervals", "types"] as const;

/** The SSE response for `request` (400 naming the bad field, 503 when the hub is full). */
export function openLiveStream(request: Request, hub: SseHub): Response {
  const params = new URL(request.url).searchParams;
  const raw: Record<string, string> = {};
  // `symbols=A&symbols=B` means the same as `symbols=A,B`.
  for (const name of LIST_PARAMS) if (params.has(name)) raw[name] = params.getAll(name).join(",");
  // The header (set by EventSource on reconnect) is newer than a query param of the first URL.
  const lastEventId = request.headers.get("last-event-id") || params.get("lastEventId") || undefined;
  if (lastEventId !== undefined) raw.lastEventId = lastEventId.trim();

  const parsed = liveStreamQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[issue.path.map(String).join(".") || "query"] ??= []).push(issue.message);
    return Response.json(
      { error: `invalid query: ${Object.keys(fields).join(", ")}`, fields },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }

  let body: ReadableStream<Uint8Array>;
  try {
    body = hub.connect(toSubscription(parsed.data), { lastEventId: parsed.data.lastEventId, signal: request.signal });
  } catch (error) {
    if (error instanceof SseHubFullError) {
      return Response.json({ error: error.message }, { status: 503, headers: { "retry-after": "5", "cache-control": "no-store" } });
    }
    throw error;
  }
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
