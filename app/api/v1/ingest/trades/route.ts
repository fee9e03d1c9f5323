import { ingestEndpoints } from "../../../../../server/rest/ingest-endpoints";
import { restIngest } from "../../../../../server/rest/ingest-handler";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** POST /api/v1/ingest/trades — a JSON array of trades, key in `x-api-key`; 202 once Kafka acked them all. */
export const POST = restIngest(ingestEndpoints.trades);
