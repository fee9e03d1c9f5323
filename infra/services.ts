// services:up | down | status [--cluster] [--secure] — a local stack of real servers on loopback
// (LOCAL_STACK; the flags select the cluster and secure stacks). Idempotent: `up` leaves running
// servers alone and waits for real readiness; a server whose address is set in the env is
// external and neither started nor stopped.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { envWithLocalStack, getConfig, loadConfig, localStackOf, type AppConfig, type LocalStackName } from "../adapters/config";
import { connectCassandra } from "../adapters/cassandra";
import { checkService } from "../adapters/health";
import { portInUse, runningPid, startDetached, stopProcess, tailFile } from "./processes";
import { errorMessage, progress, waitFor } from "./progress";
import { ensureLocalSecrets } from "./local-secrets";
import { expectedCassandraSettings, managedServers, type ManagedServer, type ServerContext, type ServerProcess } from "./servers";

// Probes retry every second while a server boots; their connection errors are expected noise.
const quietLog = pino({ level: "silent" });

function contextOf(server: ManagedServer, config: AppConfig): ServerContext {
  return { config, dir: path.join(config.localStack.dir, server.service) };
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
      for (const { host, port } of proc.ports) {
        if (await portInUse(port, host)) {
          throw new ServiceStartError(
            `${server.service}: port ${host}:${port} is in use by a process tickstream did not start. Stop it, or use it ` +
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
      await server.ready?.(ctx);
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
  const client = await connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    security: config.cassandra.security,
    log: quietLog,
  });
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

/**
 * Starts every local server that is not external and not running, and waits until all answer.
 * Without a config, the process's: a secure stack's secrets are generated first, which the config
 * reads (a config passed in was loaded after they existed).
 */
export async function servicesUp(given?: AppConfig): Promise<void> {
  const config = given ?? (await prepareLocalStack());
  const results = await Promise.allSettled(
    managedServers(config.localStack).map(async (server) => {
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
  if (!config.cassandra.external && config.localStack.name === "single") {
    const drift = await cassandraSettingsDrift(config).catch((error: unknown) => [`settings unreadable: ${errorMessage(error)}`]);
    if (drift.length > 0) {
      console.warn(
        `cassandra: running with older settings (${drift.join("; ")}); restart it to apply them: npm run services:down && npm run services:up`,
      );
    }
  }
}

/** The pid of one process of a local server (`kafka-2`, `cassandra-1`, …), if it runs. */
export function localServerPid(config: AppConfig, service: ManagedServer["service"], processId: string): number | undefined {
  const server = managedServers(config.localStack).find((s) => s.service === service);
  const proc = server?.processes.find((p) => p.id === processId);
  if (server === undefined || proc === undefined)
    throw new Error(`${service} of the ${config.localStack.name} stack has no process ${processId}`);
  return runningPid(pidFileOf(contextOf(server, config), proc));
}

/** True when every process of every local (not external) server of the stack runs. */
export function localStackRunning(config: AppConfig): boolean {
  return managedServers(config.localStack)
    .filter((server) => !server.isExternal(config))
    .every((server) => server.processes.every((proc) => runningPid(pidFileOf(contextOf(server, config), proc)) !== undefined));
}

/**
 * The config of the local stack `source` selects (the process env by default), after generating
 * the stack's secrets if it is a secure one that has none yet (the config reads them).
 */
export async function prepareLocalStack(source?: Record<string, string | undefined>): Promise<AppConfig> {
  const { stack, javaHome } = localStackOf(source);
  if (stack.secure) await ensureLocalSecrets(stack, javaHome);
  return source === undefined ? getConfig() : loadConfig(source);
}

/** Stops every local server of the stack that tickstream started (processes in reverse start order). */
export async function servicesDown(config: AppConfig = getConfig()): Promise<void> {
  await Promise.all(
    managedServers(config.localStack).map(async (server) => {
      const ctx = contextOf(server, config);
      const stop = async (proc: ServerProcess) =>
        console.log(`${server.service}/${proc.id}: ${await stopProcess(pidFileOf(ctx, proc), proc.stopGraceMs)}`);
      if (server.stopTogether) await Promise.all(server.processes.map(stop));
      else for (const proc of [...server.processes].reverse()) await stop(proc);
    }),
  );
}

export async function servicesStatus(config: AppConfig = getConfig()): Promise<boolean> {
  const rows = await Promise.all(
    managedServers(config.localStack).map(async (server) => {
      const ctx = contextOf(server, config);
      const health = await checkService(server.service, config, quietLog);
      const pids = server.processes.map((proc) => `${proc.id}=${runningPid(pidFileOf(ctx, proc)) ?? "-"}`).join(" ");
      const owner = server.isExternal(config) ? "external" : pids;
      return {
        service: server.service,
        ok: health.ok,
        line: `${health.ok ? "up  " : "DOWN"}  ${server.service.padEnd(10)} ${health.endpoint.padEnd(36)} ${owner.padEnd(34)} ${health.detail}`,
      };
    }),
  );
  for (const row of rows) console.log(row.line);
  return rows.every((row) => row.ok);
}

/** The stack `--cluster` and `--secure` name, if either is given. */
function stackOfFlags(flags: string[]): LocalStackName | undefined {
  const cluster = flags.includes("--cluster");
  const secure = flags.includes("--secure");
  if (cluster) return secure ? "cluster-secure" : "cluster";
  return secure ? "secure" : undefined;
}

async function main(): Promise<void> {
  const [command, ...flags] = process.argv.slice(2);
  const unknown = flags.filter((flag) => flag !== "--cluster" && flag !== "--secure");
  if (unknown.length > 0 || !["up", "down", "status"].includes(command ?? "")) {
    console.error("usage: tsx infra/services.ts up|down|status [--cluster] [--secure]   (or set LOCAL_STACK)");
    process.exitCode = 2;
    return;
  }
  const named = stackOfFlags(flags);
  const source = named === undefined ? undefined : envWithLocalStack(named);
  switch (command) {
    case "up": {
      const startedAt = Date.now();
      const config = await prepareLocalStack(source);
      await servicesUp(config);
      console.log(`all services of the ${config.localStack.name} stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
      return;
    }
    case "down":
      await servicesDown(source === undefined ? getConfig() : loadConfig(source));
      return;
    case "status":
      if (!(await servicesStatus(source === undefined ? getConfig() : loadConfig(source)))) process.exitCode = 1;
      return;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  });
}
