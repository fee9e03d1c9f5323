// Structured JSON logs (pino) on stdout; every process names itself with `component`.
import pino, { type Logger } from "pino";
import { getConfig } from "./config";

export type { Logger };

let root: Logger | undefined;

/** A child logger for one component (e.g. "kafka", "stream-worker"). */
export function createLogger(component: string): Logger {
  root ??= pino({ level: getConfig().logLevel, base: { pid: process.pid } });
  return root.child({ component });
}
