// The health of the four servers for the dashboard, probed at most every few seconds however
// many browsers ask (each probe opens real connections). Cassandra counts as up only when this
// process's own client can read too: that is what its pages and API read through.
import { getConfig } from "../../adapters/config";
import { checkAllServices, withClientProbe, type ServiceHealth } from "../../adapters/health";
import { createLogger } from "../../adapters/logger";
import { probeQueryClient } from "../context";

const CACHE_MS = 3_000;
const log = createLogger("health");
let cached: { at: number; result: Promise<ServiceHealth[]> } | undefined;

export interface HealthReport {
  ok: boolean;
  checkedAt: string;
  services: ServiceHealth[];
}

export async function getServiceHealth(nowMs = Date.now()): Promise<HealthReport> {
  if (!cached || nowMs - cached.at > CACHE_MS) {
    const probes = Promise.all([checkAllServices(getConfig(), log), probeQueryClient()]);
    cached = { at: nowMs, result: probes.then(([services, client]) => withClientProbe(services, client)) };
  }
  const services = await cached.result;
  for (const service of services.filter((s) => !s.ok)) log.warn({ service: service.service, detail: service.detail }, "service unhealthy");
  return { ok: services.every((s) => s.ok), checkedAt: new Date(cached.at).toISOString(), services };
}
