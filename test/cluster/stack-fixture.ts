// Shared setup of the tests on the local cluster and secure stacks (`npm run test:cluster`): the
// stack itself (started here when it was not running, and then stopped again at the end), app
// processes spawned against it (web servers, stream and batch workers, feeds) with their output
// kept for assertions, and kill -9 / restart of one server process.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { envWithLocalStack, type AppConfig, type LocalStackName } from "../../adapters/config";
import { buildWebIfStale } from "../../infra/start";
import { localServerPid, localStackRunning, prepareLocalStack, servicesDown, servicesUp } from "../../infra/services";
import { eventually } from "../helpers";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

type Env = NodeJS.ProcessEnv;

export interface StackRun {
  config: AppConfig;
  /** The env of this stack (LOCAL_STACK set): what app processes get, plus their own settings. */
  env: Env;
  /** False when the stack was already running: then it is left running at the end. */
  startedHere: boolean;
  /** Stops the stack if this run started it. */
  stop(): Promise<void>;
}

/** The web processes run the production build; a fresh clone has none yet (an existing one is used as it is). */
export function ensureWebBuild(): void {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) buildWebIfStale();
}

/** The local stack `name`, up and ready (started when it is not fully running). */
export async function startStack(name: LocalStackName): Promise<StackRun> {
  const env = envWithLocalStack(name);
  const config = await prepareLocalStack(env);
  const startedHere = !localStackRunning(config);
  await servicesUp(config);
  return {
    config,
    env,
    startedHere,
    stop: async () => {
      if (startedHere) await servicesDown(config);
    },
  };
}

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** Its last 5,000 output lines. */
  lines: string[];
  exited: Promise<number | null>;
  /** SIGTERM, SIGKILL after 15 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Runs a TypeScript entry point of the app as one node process (so a signal reaches it, not a launcher). */
export function startApp(name: string, file: string, args: string[], env: Env): AppProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, file), ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 5_000) lines.splice(0, lines.length - 5_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    child,
    lines,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until the process printed a line containing `text` (fails early if it exits). */
export async function waitForLine(proc: AppProcess, text: string, timeoutMs = 120_000): Promise<void> {
  await eventually(
    () => {
      if (proc.child.exitCode !== null)
        throw new Error(`${proc.name} exited (${proc.child.exitCode}) before printing "${text}":\n${proc.lines.slice(-30).join("\n")}`);
      return proc.lines.some((line) => line.includes(text));
    },
    `${proc.name} to print "${text}"`,
    timeoutMs,
  );
}

/** A TCP port nothing listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** kill -9 of one server process of the stack (`kafka-2`, `cassandra-3`); resolves once it is gone. */
export async function killServer(config: AppConfig, service: "kafka" | "cassandra", processId: string): Promise<void> {
  const pid = localServerPid(config, service, processId);
  if (pid === undefined) throw new Error(`${processId} of the ${config.localStack.name} stack is not running`);
  process.kill(pid, "SIGKILL");
  await eventually(() => localServerPid(config, service, processId) === undefined, `${processId} to exit`, 10_000);
}

/** Starts the stack's processes that are not running and waits until all are ready; returns the ms it took. */
export async function restartMissingServers(config: AppConfig): Promise<number> {
  const startedMs = Date.now();
  await servicesUp(config);
  return Date.now() - startedMs;
}
