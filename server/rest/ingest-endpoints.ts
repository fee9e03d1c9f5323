// The ingest endpoints of the REST API (/api/v1/ingest/*) as data, for their route handlers and
// the OpenAPI document; they mirror the tRPC mutations ingest.trades/quotes/prices.
import type { TickKind } from "../../core/schemas";

export interface IngestEndpoint {
  /** operationId, named like the tRPC procedure it mirrors. */
  id: `ingest.${TickKind}`;
  kind: TickKind;
  path: `/ingest/${TickKind}`;
  summary: string;
}

export const ingestEndpoints: Record<TickKind, IngestEndpoint> = {
  trades: { id: "ingest.trades", kind: "trades", path: "/ingest/trades", summary: "Publish a batch of trades" },
  quotes: { id: "ingest.quotes", kind: "quotes", path: "/ingest/quotes", summary: "Publish a batch of quotes" },
  prices: { id: "ingest.prices", kind: "prices", path: "/ingest/prices", summary: "Publish a batch of reference prices" },
};

export const ingestEndpointList: readonly IngestEndpoint[] = Object.values(ingestEndpoints);
