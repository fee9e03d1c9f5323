// Readiness probes of the four servers, each a real round trip (not a TCP connect): used by
// services:up to wait, by services:status, and by the web app's health view.
import type { AppConfig } from "./config";
import { connectCassandra, type CassandraClient } from "./cassandra";
import { WebHdfsClient } from "./hdfs";
import { createKafka } from "./kafka";
import type { Logger } from "./logger";
import { createRedis } from "./redis";

export type ServiceName = "kafka" | "cassandra" | "redis" | "hdfs";
export const SERVICE_NAMES: readonly ServiceName[] = ["kafka", "cassandra", "redis", "hdfs"];

export interface ServiceHealth {
  service: ServiceName;
  ok: boolean;
  endpoint: string;
  /** What the server said: a version, cluster id, or the error. */
  detail: string;
  latencyMs: number;
}

type Probe = (config: AppConfig, log: Logger) => Promise<string>;

const probes: Record<ServiceName, Probe> = {
  async kafka(config, log) {
    const kafka = createKafka({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-health`,
      log,
      retries: 0,
      connectionTimeoutMs: 3_000,
      security: config.kafka.security,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error("metadata lists no broker");
      return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`;
    } finally {
      await admin.disconnect();
    }
  },
  async cassandra(config, log) {
    const client = await connectCassandra({
      contactPoints: config.cassandra.contactPoints,
      localDataCenter: config.cassandra.localDataCenter,
      security: config.cassandra.security,
      log,
    });
    try {
      return await probeCassandraClient(client);
    } finally {
      await client.shutdown();
    }
  },
  async redis(config, log) {
    const redis = createRedis(config.redis.url, "client", log);
    try {
      const pong = await redis.ping();
      if (pong !== "PONG") throw new Error(`PING answered ${String(pong)}`);
      const info = await redis.info("server");
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
      return `Redis ${version}`;
    } finally {
      redis.disconnect();
    }
  },
  async hdfs(config) {
    const client = new WebHdfsClient({ baseUrl: config.hdfs.webhdfsUrl, user: config.hdfs.user, timeoutMs: 5_000 });
    await client.list("/");
    // A NameNode answers LISTSTATUS before any DataNode has registered, but cannot store a block
    // then; its JMX tells live DataNodes and safe mode.
    const origin = new URL(config.hdfs.webhdfsUrl).origin;
    const response = await fetch(`${origin}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) return "WebHDFS answered (NameNode JMX unavailable)";
    const bean = ((await response.json()) as { beans: Array<{ Version?: string; Safemode?: string; LiveNodes?: string }> }).beans[0];
    const liveNodes = Object.keys(JSON.parse(bean?.LiveNodes ?? "{}") as object).length;
    if (liveNodes === 0) throw new Error("no live DataNode yet");
    if (bean?.Safemode) throw new Error(`NameNode in safe mode: ${bean.Safemode}`);
    return `Hadoop ${bean?.Version?.split(",")[0] ?? "?"}, ${liveNodes} live DataNode(s)`;
  },
};

export function endpointOf(service: ServiceName, config: AppConfig): string {
  switch (service) {
    case "kafka":
      return config.kafka.brokers.join(",");
    case "cassandra":
      return config.cassandra.contactPoints.join(",");
    case "redis":
      return config.redis.url.replace(/\/\/[^@/]*@/, "//***@");
    case "hdfs":
      return config.hdfs.webhdfsUrl;
  }
}

/**
 * A read through `client`'s own connections. A long-lived client (the web process's, a worker's)
 * can still be waiting to reconnect to a node that already answers a fresh connection.
 */
export async function probeCassandraClient(client: CassandraClient): Promise<string> {
  const result = await client.execute("SELECT release_version FROM system.local");
  const version: unknown = result.first()?.get("release_version");
  return `Cassandra ${String(version)}`;
}

/** What a process's own Cassandra client answered (probeCassandraClient): ok, or the error. */
export type ClientProbe = { ok: true } | { ok: false; detail: string };

/**
 * The services with Cassandra down when the process's own client cannot read, even though the
 * server answers a fresh connection: that process's reads fail, and its health must say so.
 */
export function withClientProbe(services: ServiceHealth[], client: ClientProbe | undefined): ServiceHealth[] {
  if (client === undefined || client.ok) return services;
  return services.map((s) =>
    s.service === "cassandra" && s.ok
      ? { ...s, ok: false, detail: `${s.detail} answers, but this process's connections are not back yet: ${client.detail}` }
      : s,
  );
}

/** Probes one service; never throws (a failure is a result). */
export async function checkService(service: ServiceName, config: AppConfig, log: Logger): Promise<ServiceHealth> {
  const startedAt = performance.now();
  const endpoint = endpointOf(service, config);
  try {
    const detail = await probes[service](config, log);
    return { service, ok: true, endpoint, detail, latencyMs: Math.round(performance.now() - startedAt) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { service, ok: false, endpoint, detail, latencyMs: Math.round(performance.now() - startedAt) };
  }
}

export function checkAllServices(config: AppConfig, log: Logger): Promise<ServiceHealth[]> {
  return Promise.all(SERVICE_NAMES.map((service) => checkService(service, config, log)));
}
