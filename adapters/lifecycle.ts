// Process lifecycle: cleanups registered in start order run in reverse on SIGINT/SIGTERM, once,
// even if one of them throws; an unhandled rejection is logged and ends the process non-zero.
import type { Logger } from "./logger";

type Cleanup = { name: string; run: () => Promise<void> | void };

export interface Lifecycle {
  /** Registers a cleanup; the last registered runs first. */
  onClose(name: string, run: Cleanup["run"]): void;
  /** Runs every cleanup (memoized: later calls return the same promise). */
  close(): Promise<void>;
}

export function createLifecycle(log: Logger): Lifecycle {
  const cleanups: Cleanup[] = [];
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const cleanup of [...cleanups].reverse()) {
        try {
          await cleanup.run();
        } catch (error) {
          log.error({ err: error, cleanup: cleanup.name }, "cleanup failed");
        }
      }
    })();
    return closing;
  };

  return { onClose: (name, run) => cleanups.push({ name, run }), close };
}

/** Wires signals and fatal errors of this process to `lifecycle.close()`. */
export function handleProcessSignals(lifecycle: Lifecycle, log: Logger): void {
  const shutdown = (signal: string, exitCode: number) => {
    log.info({ signal }, "shutting down");
    void lifecycle.close().finally(() => process.exit(exitCode));
  };
  process.once("SIGINT", () => shutdown("SIGINT", 0));
  process.once("SIGTERM", () => shutdown("SIGTERM", 0));
  process.on("unhandledRejection", (reason) => {
    log.fatal({ err: reason }, "unhandled rejection");
    shutdown("unhandledRejection", 1);
  });
  process.on("uncaughtException", (error) => {
    log.fatal({ err: error }, "uncaught exception");
    shutdown("uncaughtException", 1);
  });
}
