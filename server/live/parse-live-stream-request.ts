// The query and resume id of GET /api/stream, shared by its transports (node:http in the production
// web server, Next's route handler): a subscription, or the 400 body naming each bad field.
import { liveStreamQuerySchema, toSubscription, type LiveSubscription } from "../../core/live-updates";

const LIST_PARAMS = ["symbols", "intervals", "types"] as const;

export type LiveStreamRequest =
  | { ok: true; subscription: LiveSubscription; lastEventId: string | undefined }
  | { ok: false; body: { error: string; fields: Record<string, string[]> } };

/**
 * Parses `params` and the Last-Event-ID header. `symbols=A&symbols=B` means `symbols=A,B`; the
 * header (set by EventSource on reconnect) wins over a `lastEventId` query param of the first URL.
 */
export function parseLiveStreamRequest(params: URLSearchParams, lastEventIdHeader: string | null | undefined): LiveStreamRequest {
  const raw: Record<string, string> = {};
  for (const name of LIST_PARAMS) if (params.has(name)) raw[name] = params.getAll(name).join(",");
  const lastEventId = lastEventIdHeader || params.get("lastEventId") || undefined;
  if (lastEventId !== undefined) raw.lastEventId = lastEventId.trim();

  const parsed = liveStreamQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[issue.path.map(String).join(".") || "query"] ??= []).push(issue.message);
    return { ok: false, body: { error: `invalid query: ${Object.keys(fields).join(", ")}`, fields } };
  }
  return { ok: true, subscription: toSubscription(parsed.data), lastEventId: parsed.data.lastEventId };
}

/** Response headers of an event stream. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  // Tells nginx-style proxies not to buffer the stream.
  "x-accel-buffering": "no",
} as const;

/** Seconds a refused client is asked to wait before it tries again. */
export const RETRY_AFTER_S = { global: 5, "per-address": 10 } as const;
