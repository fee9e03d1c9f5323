// /api/metrics of the web process: its own metrics (SSE hub, service health, process) merged with
// the snapshots worker processes publish to Redis, each sample labelled with its `process`.
import os from "node:os";
import { getConfig } from "../../adapters/config";
import { createLogger } from "../../adapters/logger";
import {
  MetricsRegistry,
  readMetricsSnapshots,
  registerProcessMetrics,
  renderMergedMetrics,
  type MetricsSnapshot,
} from "../../adapters/metrics";

export { PROMETHEUS_CONTENT_TYPE } from "../../adapters/metrics";
import { createRedis, type Redis } from "../../adapters/redis";
import { getServiceHealth } from "../health/get-service-health";
import { getSseHub } from "../live/sse-hub";

const SNAPSHOT_READ_TIMEOUT_MS = 2_000;
const log = createLogger("metrics");

interface WebMetrics {
  registry: MetricsRegistry;
  processName: string;
  redis: Redis | undefined;
}

// On globalThis for the same reason as the hub: one registry per process, whatever the bundles.
const KEY = Symbol.for("tickstream.webMetrics");
type MetricsGlobal = typeof globalThis & { [KEY]?: WebMetrics };

function createWebMetrics(): WebMetrics {
  const registry = new MetricsRegistry(log);
  registerProcessMetrics(registry);
  const clients = registry.gauge({ name: "tickstream_sse_clients", help: "Connected SSE clients." });
  const snapshots = registry.counter({
    name: "tickstream_sse_snapshot_required_total",
    help: "snapshot-required events sent, by reason.",
    labelNames: ["reason"],
  });
  const up = registry.gauge({
    name: "tickstream_service_up",
    help: "1 when the server answered its health probe.",
    labelNames: ["service"],
  });
  const probe = registry.gauge({
    name: "tickstream_service_probe_seconds",
    help: "Duration of the last health probe.",
    labelNames: ["service"],
  });

  registry.mirrorTotals(() => getSseHub().stats(), {
    tickstream_sse_connections_total: { help: "SSE connections accepted.", of: (s) => s.connections },
    tickstream_sse_rejected_total: { help: "SSE connections refused because the hub was full.", of: (s) => s.rejected },
    tickstream_sse_events_sent_total: {
      help: "Update events written to SSE clients (live, flushed after conflation, backfilled).",
      of: (s) => s.eventsSent,
    },
    tickstream_sse_events_conflated_total: {
      help: "Updates a slow client skipped because a newer update of the same key replaced them.",
      of: (s) => s.conflated,
    },
    tickstream_sse_events_dropped_total: {
      help: "Updates lost when a slow client's conflation buffer overflowed (the client was told to reload).",
      of: (s) => s.dropped,
    },
    tickstream_sse_events_backfilled_total: {
      help: "Updates replayed from the stream to clients resuming with Last-Event-ID.",
      of: (s) => s.backfilled,
    },
    tickstream_live_entries_read_total: { help: "Live stream entries read by this process's hub.", of: (s) => s.entriesRead },
    tickstream_live_entries_malformed_total: { help: "Live stream entries skipped as malformed.", of: (s) => s.malformed },
    tickstream_live_read_errors_total: { help: "Failed reads of the live stream.", of: (s) => s.readErrors },
  });
  registry.onCollect(() => {
    const stats = getSseHub().stats();
    clients.set(stats.clients);
    for (const [reason, count] of Object.entries(stats.snapshotsRequired)) snapshots.setTotal(count, { reason });
  });
  registry.onCollect(async () => {
    const report = await getServiceHealth();
    for (const service of report.services) {
      up.set(service.ok ? 1 : 0, { service: service.service });
      probe.set(service.latencyMs / 1_000, { service: service.service });
    }
  });
  return { registry, processName: `web-${os.hostname()}-${process.pid}`, redis: undefined };
}

async function readSnapshots(metrics: WebMetrics): Promise<MetricsSnapshot[]> {
  metrics.redis ??= createRedis(getConfig().redis.url, "client", log);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis in ${SNAPSHOT_READ_TIMEOUT_MS} ms`)), SNAPSHOT_READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([readMetricsSnapshots(metrics.redis, log), timeout]);
  } catch (error) {
    log.warn({ err: error }, "could not read worker metrics snapshots; serving the web process's own");
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** Prometheus text of this web process plus every worker's unexpired snapshot. */
export async function getWebMetrics(): Promise<string> {
  const global = globalThis as MetricsGlobal;
  const metrics = (global[KEY] ??= createWebMetrics());
  const [own, snapshots] = await Promise.all([metrics.registry.snapshot(), readSnapshots(metrics)]);
  return renderMergedMetrics([
    { process: metrics.processName, metrics: own },
    ...snapshots.map((snapshot) => ({ process: snapshot.processName, metrics: snapshot.metrics })),
  ]);
}
