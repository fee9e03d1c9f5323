import { getWebMetrics, PROMETHEUS_CONTENT_TYPE } from "../../../server/metrics/get-web-metrics";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/metrics — Prometheus text: this web process and every live worker's snapshot, labelled by `process`. */
export async function GET(): Promise<Response> {
  return new Response(await getWebMetrics(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
}
