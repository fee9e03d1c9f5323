// Turns an ingest endpoint into a Next.js POST handler: API key → JSON body under the byte limit →
// ingestTicks → 202 once Kafka acked; any error → the AppError JSON body with its mapped status
// (a 503 with Retry-After: Kafka could not take the ticks now, the same request may succeed later).
import { getConfig } from "../../adapters/config";
import { readJsonBody } from "../http/read-body";
import { getApiKeyCheck, requireApiKey } from "../ingest/api-key";
import { getIngestContext } from "../ingest/ingest-context";
import { INGEST_RETRY_AFTER_S } from "../ingest/kafka-gate";
import { ingestTicks } from "../ingest/ingest-ticks";
import { errorResponse } from "./handler";
import type { IngestEndpoint } from "./ingest-endpoints";

/** The POST handler of `endpoint`. */
export function restIngest(endpoint: IngestEndpoint): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const settings = getConfig().ingest;
      // The key first: nobody without one gets a byte of the body read.
      requireApiKey(request.headers, getApiKeyCheck());
      const body = await readJsonBody(request, settings.maxBodyBytes);
      const result = await ingestTicks(getIngestContext(), endpoint.kind, body, settings.maxTicks);
      return Response.json(result, { status: 202, headers: { "cache-control": "no-store" } });
    } catch (error) {
      const response = errorResponse(error);
      if (response.status === 503) response.headers.set("retry-after", String(INGEST_RETRY_AFTER_S));
      return response;
    }
  };
}
