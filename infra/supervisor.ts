// Runs the app's processes side by side, prefixes their output, restarts one that crashes (with
// backoff, so a crash loop does not spin), and stops them all, gracefully, on request.
// Each program is one process (node with the tsx loader, not a tsx launcher with a node child) that
// leads its own process group, and signals go to the whole group: killing a program never leaves
// an unsupervised child behind to run beside its restarted copy.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

export interface ProgramSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** `always` (default): a long-running process, restarted whenever it exits; `on-failure`: a job, done once it exits 0. */
  restart?: "always" | "on-failure";
}

const COLORS = [36, 35, 33, 32, 34, 31];
const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 15_000;

/**
 * Node options of a stream worker process: its live state is small (tens of MiB) but it allocates
 * fast, and V8 left alone grows the old space towards its default limit (peak RSS 490 MiB on a
 * 500k-trade backlog); capped, it collects earlier (240 MiB, same throughput within noise).
 */
export const STREAM_WORKER_NODE_ARGS = ["--max-old-space-size=256"];

/** A TypeScript entry point run as a single node process with the tsx loader (`nodeArgs` before it). */
export function tsProgram(
  name: string,
  file: string,
  args: string[] = [],
  extra: Partial<ProgramSpec> & { nodeArgs?: string[] } = {},
): ProgramSpec {
  const { nodeArgs = [], ...rest } = extra;
  return { name, command: process.execPath, args: [...nodeArgs, "--import", "tsx", path.resolve(file), ...args], ...rest };
}

/** Sends `signal` to the child's whole process group; false when it is already gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(private readonly programs: ProgramSpec[]) {}

  start(): void {
    this.programs.forEach((program, index) => this.run(program, COLORS[index % COLORS.length] ?? 37, 0));
  }

  private run(program: ProgramSpec, color: number, restarts: number): void {
    const prefix = `\x1b[${color}m${program.name.padEnd(10)}\x1b[0m|`;
    const startedAt = Date.now();
    const child = spawn(program.command, program.args, {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, signalled as a whole
      ...(program.env ? { env: program.env } : {}),
    });
    this.children.set(program.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on("line", (line) => console.log(`${prefix} ${line}`));
    }
    child.once("error", (error) => console.error(`${prefix} could not start: ${error.message}`));
    child.once("exit", (code, signal) => {
      this.children.delete(program.name);
      // Whatever the program left in its group goes with it.
      signalGroup(child, "SIGKILL");
      if (this.stopping) return;
      if (program.restart === "on-failure" && code === 0) {
        console.log(`${prefix} done`);
        return;
      }
      // A process that ran a while before dying starts over with a short delay.
      const nextRestarts = Date.now() - startedAt > 60_000 ? 0 : restarts + 1;
      const delayMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** nextRestarts);
      console.error(`${prefix} exited (${signal ?? `code ${code}`}); restarting in ${delayMs} ms`);
      setTimeout(() => {
        if (!this.stopping) this.run(program, color, nextRestarts);
      }, delayMs).unref();
    });
  }

  /** SIGTERM every child's group, SIGKILL those still alive after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => signalGroup(child, "SIGKILL"), STOP_GRACE_MS);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          if (!signalGroup(child, "SIGTERM")) resolve();
        }),
    );
    await Promise.all(exits);
  }
}
