// Detached server processes tracked by pid files under the data dir, so `services:down` in
// another shell (or after a crash of `npm start`) finds and stops exactly what was started.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface ProcessLaunch {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}

const MAX_LOG_BYTES = 20 * 1024 * 1024;

/** Starts a process in its own process group, logging to a file, and records its pid. */
export function startDetached(launch: ProcessLaunch): number {
  fs.mkdirSync(path.dirname(launch.logFile), { recursive: true });
  // Keep one previous log so a long-lived data dir does not grow without bound.
  if (fs.existsSync(launch.logFile) && fs.statSync(launch.logFile).size > MAX_LOG_BYTES) {
    fs.renameSync(launch.logFile, `${launch.logFile}.1`);
  }
  const logFd = fs.openSync(launch.logFile, "a");
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    ...(launch.env ? { env: launch.env } : {}),
    detached: true,
    stdio: ["ignore", logFd, logFd],
  });
  fs.closeSync(logFd);
  if (child.pid === undefined) throw new Error(`could not start ${launch.command}`);
  child.unref();
  fs.writeFileSync(launch.pidFile, String(child.pid));
  return child.pid;
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs. A zombie (dead, not yet reaped by its parent) does not: signal 0 still reaches it. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false; // no procfs (not Linux): signal 0 is all there is
  }
  // "pid (comm) S …": the state follows the last ")" (comm may hold spaces and parentheses).
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
}

/** The pid from the file if that process is still running; a stale file is removed. */
export function runningPid(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  if (isAlive(pid)) return pid;
  fs.rmSync(pidFile, { force: true });
  return undefined;
}

/** SIGTERM the process group, wait for exit, SIGKILL after the grace period. */
export async function stopProcess(pidFile: string, graceMs: number): Promise<"stopped" | "killed" | "not running"> {
  const pid = runningPid(pidFile);
  if (pid === undefined) return "not running";
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      fs.rmSync(pidFile, { force: true });
      return "stopped";
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  signalGroup(pid, "SIGKILL");
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
  fs.rmSync(pidFile, { force: true });
  return "killed";
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The last `lines` lines of a log file, for error messages. */
export function tailFile(file: string, lines = 40): string {
  try {
    const content = fs.readFileSync(file, "utf8");
    // Java servers log their whole classpath on one line: cut long lines.
    return content
      .split("\n")
      .slice(-lines)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join("\n");
  } catch {
    return `(no log at ${file})`;
  }
}
