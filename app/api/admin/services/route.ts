import { adminGet } from "../../../../server/admin/http";
import { getServiceHealth } from "../../../../server/health/get-service-health";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/services — health and versions of Kafka, Cassandra, Redis and HDFS. */
export const GET = adminGet(() => getServiceHealth());
