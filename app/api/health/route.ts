import { getServiceHealth } from "../../../server/health/get-service-health";

export const dynamic = "force-dynamic";

/** GET /api/health — 200 when every server answers, 503 otherwise; the body lists each one. */
export async function GET(): Promise<Response> {
  const report = await getServiceHealth();
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
