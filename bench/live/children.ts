// Load-generator processes of the live benchmarks: each part (trade producer, timed client, drain
// clients) runs as its own node process, driven over IPC with request/reply commands, so its CPU
// is not the orchestrator's and the web process is measured alone.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

type Command = { cmd: string } & Record<string, unknown>;
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The orchestrator's handle on one load-generator process. */
export class BenchChild {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    file: string,
    args: string[] = [],
    env: Record<string, string> = {},
  ) {
    this.#child = fork(path.resolve(file), args, {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, LOG_LEVEL: "warn", ...env }, // eslint-disable-line no-restricted-syntax -- the child inherits the environment
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.#child.on("message", (message: Reply) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    this.exited = new Promise((resolve) =>
      this.#child.once("exit", (code, signal) => {
        for (const waiter of this.#pending.values()) waiter.reject(new Error(`${name} exited (${signal ?? `code ${code}`})`));
        this.#pending.clear();
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  request<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, cmd, ...args });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    this.#child.kill("SIGTERM");
    await this.exited;
    clearTimeout(timer);
  }
}

/** The child's side: answers each command with its handler's result; exits on SIGTERM or a lost parent. */
export function serveCommands(handlers: Record<string, (command: Command) => unknown>): void {
  process.on("message", (message: { id: number } & Command) => {
    const handler = handlers[message.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        return handler(message);
      })
      .then(
        (value) => process.send?.({ id: message.id, ok: true, value }),
        (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.once("disconnect", () => process.exit(0));
  process.once("SIGTERM", () => process.exit(0));
}

/** Value at rank p (0–100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
