// How a feed waits out a Kafka outage: the same request is tried again (250 ms doubling to 1 s
// between attempts) for as long as Kafka is unreachable, and the user is told so every few seconds.
// Nothing new is read or generated meanwhile, so memory stays at the one request being retried.
import { isKafkaUnavailable } from "../../adapters/kafka";
import type { Logger } from "../../adapters/logger";

export type KafkaWait = { what: string; waitedMs: number; attempts: number; error: unknown };

export type WaitForKafkaOptions = {
  log: Logger;
  /** Called after every failed attempt while waiting (a progress line, say). */
  onWaiting?: (wait: KafkaWait) => void;
  /** Stops waiting: the last error is thrown (after the attempt in flight settles). */
  signal?: AbortSignal;
  /** Longest wait between attempts. */
  maxDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

const LOG_EVERY_MS = 5_000;

/** Thrown when a feed stops (its signal) while Kafka is still unavailable. */
export class KafkaWaitAborted extends Error {
  override name = "KafkaWaitAborted";
}

/**
 * Runs `attempt` until it succeeds. While it fails because Kafka is unavailable (see
 * isKafkaUnavailable) it is run again; any other error is thrown at once. Logs
 * `kafka.unavailable` when the wait starts and every 5 s, `kafka.available` with the time waited
 * when it ends. `attempt` must be safe to repeat: a send repeats the very same messages with the
 * same idempotent producer, which the broker de-duplicates if an earlier try was written.
 */
export async function waitForKafka<T>(what: string, attempt: () => Promise<T>, options: WaitForKafkaOptions): Promise<T> {
  const { log } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxDelayMs = options.maxDelayMs ?? 1_000;
  let startedMs: number | undefined;
  let lastLogMs = 0;
  for (let attempts = 1; ; attempts++) {
    try {
      const result = await attempt();
      if (startedMs !== undefined) {
        const waitedMs = now() - startedMs;
        log.info(
          { event: "kafka.available", what, waitedMs, attempts },
          `Kafka available again after ${(waitedMs / 1000).toFixed(1)} s; continuing`,
        );
      }
      return result;
    } catch (error) {
      if (!isKafkaUnavailable(error)) throw error;
      const nowMs = now();
      startedMs ??= nowMs;
      const wait: KafkaWait = { what, waitedMs: nowMs - startedMs, attempts, error };
      if (attempts === 1 || nowMs - lastLogMs >= LOG_EVERY_MS) {
        lastLogMs = nowMs;
        log.warn(
          { event: "kafka.unavailable", what, waitedMs: wait.waitedMs, attempts, err: error },
          `Kafka unavailable, waiting… ${Math.round(wait.waitedMs / 1000)} s (${what} is retried, nothing is lost)`,
        );
      }
      options.onWaiting?.(wait);
      if (options.signal?.aborted) throw new KafkaWaitAborted(`stopped while waiting for Kafka (${what})`, { cause: error });
      await sleep(Math.min(250 * 2 ** Math.min(attempts - 1, 10), maxDelayMs));
      if (options.signal?.aborted) throw new KafkaWaitAborted(`stopped while waiting for Kafka (${what})`, { cause: error });
    }
  }
}
