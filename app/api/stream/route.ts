import { openLiveStream } from "../../../server/live/open-live-stream";
import { getSseHub } from "../../../server/live/sse-hub";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * GET /api/stream?symbols=A,B&intervals=1s,1m&types=candle,price — Server-Sent Events of live
 * updates; resumes after the `Last-Event-ID` header (or `lastEventId` query param).
 */
export function GET(request: Request): Response {
  return openLiveStream(request, getSseHub());
}
