// services:up | down | status — the local stack of real servers on 127.0.0.1. Idempotent: `up`
// leaves running servers alone and waits for real readiness; a server whose address is set in
// the env is external and neither started nor stopped.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { getConfig, type AppConfig } from "../adapters/config";
import { connectCassandra } from "../adapters/cassandra";
import { checkService } from "../adapters/health";
import { portInUse, runningPid, startDetached, stopProcess, tailFile } from "./processes";
import { errorMessage, progress, waitFor } from "./progress";
import { expectedCassandraSettings, MANAGED_SERVERS, type ManagedServer, type ServerContext, type ServerProcess } from "./servers";

// Probes retry every second while a server boots; their connection errors are expected noise.
const quietLog = pino({ level: "silent" });

function contextOf(server: ManagedServer, config: AppConfig): ServerContext {
  return { config, dir: path.join(config.dataDir, server.service) };
}
const pidFileOf = (ctx: ServerContext, proc: ServerProcess) => path.join(ctx.dir, `${proc.id}.pid`);
const logFileOf = (ctx: ServerContext, proc: ServerProcess) => path.join(ctx.dir, "logs", `${proc.id}.log`);

class ServiceStartError extends Error {}

async function startServer(server: ManagedServer, config: AppConfig): Promise<string> {
  const ctx = contextOf(server, config);
  fs.mkdirSync(path.join(ctx.dir, "logs"), { recursive: true });
  const running = server.processes.filter((proc) => runningPid(pidFileOf(ctx, proc)) !== undefined);
  if (running.length < server.processes.length) {
    await server.prepare(ctx);
    for (const proc of server.processes) {
      if (running.includes(proc)) continue;
      for (const port of proc.ports) {
        if (await portInUse(port)) {
          throw new ServiceStartError(
            `${server.service}: port ${port} is in use by a process tickstream did not start. Stop it, or use it ` +
              `as an external server by setting its address (see README, "External clusters").`,
          );
        }
      }
      const launch = await proc.launch(ctx);
      startDetached({ ...launch, cwd: ctx.dir, logFile: logFileOf(ctx, proc), pidFile: pidFileOf(ctx, proc) });
    }
  }
  return waitReady(server, ctx);
}

async function waitReady(server: ManagedServer, ctx: ServerContext): Promise<string> {
  const bar = progress(`${server.service}`);
  const result = await waitFor(
    async () => {
      for (const proc of server.processes) {
        if (runningPid(pidFileOf(ctx, proc)) === undefined) {
          throw new ServiceStartError(
            `${server.service}: ${proc.id} exited during startup. Last lines of ${logFileOf(ctx, proc)}:\n` +
              tailFile(logFileOf(ctx, proc)),
          );
        }
      }
      const health = await checkService(server.service, ctx.config, quietLog);
      if (!health.ok) throw new Error(health.detail);
      return health.detail;
    },
    {
      timeoutMs: ctx.config.servicesStartupTimeoutMs,
      onWait: (error) => {
        if (error instanceof ServiceStartError) throw error;
        bar.update(`waiting for readiness (${errorMessage(error).split("\n")[0]?.slice(0, 80)})`);
      },
    },
  ).catch((error: unknown) => {
    if (error instanceof ServiceStartError) throw error;
    const logs = server.processes.map((proc) => `--- ${logFileOf(ctx, proc)}\n${tailFile(logFileOf(ctx, proc))}`);
    throw new ServiceStartError(`${server.service} did not become ready: ${errorMessage(error)}\n${logs.join("\n")}`);
  });
  bar.done(`ready: ${result}`);
  return result;
}

/**
 * Settings the running local Cassandra has other than its config file now says (the file is
 * rewritten at the next start): e.g. a node started before the switch to batch commit-log sync
 * still acknowledges writes before they are on disk until it is restarted.
 */
export async function cassandraSettingsDrift(config: AppConfig): Promise<string[]> {
  const expected = expectedCassandraSettings();
  const client = await connectCassandra({ contactPoints: config.cassandra.contactPoints, localDataCenter: config.cassandra.localDataCenter, log: quietLog });
  try {
    const result = await client.execute("SELECT name, value FROM system_views.settings WHERE name IN ?", [Object.keys(expected)]);
    const running = new Map(result.rows.map((row) => [String(row.get("name")), String(row.get("value"))]));
    return Object.entries(expected)
      .filter(([name, value]) => running.get(name) !== value)
      .map(([name, value]) => `${name} is ${running.get(name) ?? "unknown"}, the config says ${value}`);
  } finally {
    await client.shutdown();
  }
}

/** Starts every local server that is not external and not running, and waits until all answer. */
export async function servicesUp(config: AppConfig = getConfig()): Promise<void> {
  const results = await Promise.allSettled(
    MANAGED_SERVERS.map(async (server) => {
      if (server.isExternal(config)) {
        const health = await checkService(server.service, config, quietLog);
        if (!health.ok) throw new ServiceStartError(`${server.service} (external, ${health.endpoint}): ${health.detail}`);
        console.log(`${server.service}: external at ${health.endpoint}: ${health.detail}`);
        return;
      }
      await startServer(server, config);
    }),
  );
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failures.length > 0) {
    throw new Error(failures.map((failure) => errorMessage(failure.reason)).join("\n\n"));
  }
  if (!config.cassandra.external) {
    const drift = await cassandraSettingsDrift(config).catch((error: unknown) => [`settings unreadable: ${errorMessage(error)}`]);
    if (drift.length > 0) {
      console.warn(`cassandra: running with older settings (${drift.join("; ")}); restart it to apply them: npm run services:down && npm run services:up`);
    }
  }
}

/** Stops every local server that tickstream started (processes in reverse start order). */
export async function servicesDown(config: AppConfig = getConfig()): Promise<void> {
  await Promise.all(
    MANAGED_SERVERS.map(async (server) => {
      const ctx = contextOf(server, config);
      for (const proc of [...server.processes].reverse()) {
        const outcome = await stopProcess(pidFileOf(ctx, proc), proc.stopGraceMs);
        console.log(`${server.service}/${proc.id}: ${outcome}`);
      }
    }),
  );
}

export async function servicesStatus(config: AppConfig = getConfig()): Promise<boolean> {
  const rows = await Promise.all(
    MANAGED_SERVERS.map(async (server) => {
      const ctx = contextOf(server, config);
      const health = await checkService(server.service, config, quietLog);
      const pids = server.processes.map((proc) => `${proc.id}=${runningPid(pidFileOf(ctx, proc)) ?? "-"}`).join(" ");
      const owner = server.isExternal(config) ? "external" : pids;
      return { service: server.service, ok: health.ok, line: `${health.ok ? "up  " : "DOWN"}  ${server.service.padEnd(10)} ${health.endpoint.padEnd(36)} ${owner.padEnd(34)} ${health.detail}` };
    }),
  );
  for (const row of rows) console.log(row.line);
  return rows.every((row) => row.ok);
}

async function main(): Promise<void> {
  const command = process.argv[2];
  switch (command) {
    case "up": {
      const startedAt = Date.now();
      await servicesUp();
      console.log(`all services ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
      return;
    }
    case "down":
      await servicesDown();
      return;
    case "status":
      if (!(await servicesStatus())) process.exitCode = 1;
      return;
    default:
      console.error("usage: tsx infra/services.ts up|down|status");
      process.exitCode = 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  });
}
