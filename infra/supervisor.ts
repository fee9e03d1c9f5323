// Runs the app's processes side by side, prefixes their output, restarts one that crashes (with
// backoff, so a crash loop does not spin), and stops them all, gracefully, on request.
import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";

export interface ProgramSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

const COLORS = [36, 35, 33, 32, 34, 31];
const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 15_000;

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
      ...(program.env ? { env: program.env } : {}),
    });
    this.children.set(program.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on("line", (line) => console.log(`${prefix} ${line}`));
    }
    child.once("error", (error) => console.error(`${prefix} could not start: ${error.message}`));
    child.once("exit", (code, signal) => {
      this.children.delete(program.name);
      if (this.stopping) return;
      // A process that ran a while before dying starts over with a short delay.
      const nextRestarts = Date.now() - startedAt > 60_000 ? 0 : restarts + 1;
      const delayMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** nextRestarts);
      console.error(`${prefix} exited (${signal ?? `code ${code}`}); restarting in ${delayMs} ms`);
      setTimeout(() => {
        if (!this.stopping) this.run(program, color, nextRestarts);
      }, delayMs).unref();
    });
  }

  /** SIGTERM every child, SIGKILL those still alive after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    );
    await Promise.all(exits);
  }
}
