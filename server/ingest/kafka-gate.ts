// Which ingest requests may try Kafka. After a send failed because Kafka is unavailable, one request
// at a time tries (and finds out when it is back); the others get 503 with Retry-After at once,
// instead of each waiting out connection timeouts while holding its body. Sends in flight are
// capped too, so a slow Kafka cannot make a web process hold request bodies without bound.
import { isKafkaUnavailable } from "../../adapters/kafka";
import type { Logger } from "../../adapters/logger";
import { AppError } from "../errors";

/** What a refused or failed ingest request tells its client to wait before retrying. */
export const INGEST_RETRY_AFTER_S = 1;

const STILL_DOWN_LOG_EVERY_MS = 10_000;

export interface KafkaGateOptions {
  /** Sends at once; more are refused with 503. */
  maxInFlight: number;
  log: Logger;
  now?: () => number;
}

export interface KafkaGate {
  /** Runs `send` if Kafka may be tried now; otherwise throws a 503 AppError without calling it. */
  run<T>(send: () => Promise<T>): Promise<T>;
  /** Since when Kafka has been unavailable (ms), or undefined. */
  unavailableSinceMs(): number | undefined;
}

export function createKafkaGate(options: KafkaGateOptions): KafkaGate {
  const { log } = options;
  const now = options.now ?? Date.now;
  let inFlight = 0;
  let downSinceMs: number | undefined;
  let probing = false;
  let refusedSinceLog = 0;
  let lastLogMs: number | undefined;

  const refuse = (message: string): AppError => {
    refusedSinceLog++;
    return new AppError("UNAVAILABLE", { message, retriable: true });
  };

  const markUnavailable = (error: unknown): void => {
    const nowMs = now();
    downSinceMs ??= nowMs;
    if (lastLogMs !== undefined && nowMs - lastLogMs < STILL_DOWN_LOG_EVERY_MS) return;
    lastLogMs = nowMs;
    log.warn(
      { event: "ingest.kafka_unavailable", downMs: nowMs - downSinceMs, refused: refusedSinceLog, err: error },
      "Kafka unavailable: ingest answers 503 with Retry-After and tries one request at a time until it is back",
    );
    refusedSinceLog = 0;
  };

  const markAvailable = (): void => {
    if (downSinceMs === undefined) return;
    log.info(
      { event: "ingest.kafka_available", downMs: now() - downSinceMs, refused: refusedSinceLog },
      "Kafka available again: ingest accepts ticks",
    );
    downSinceMs = undefined;
    lastLogMs = undefined;
    refusedSinceLog = 0;
  };

  return {
    async run(send) {
      if (inFlight >= options.maxInFlight) {
        throw refuse(
          `${inFlight} ingest requests are waiting for Kafka already; nothing was published, retry in ${INGEST_RETRY_AFTER_S} s`,
        );
      }
      const isProbe = downSinceMs !== undefined;
      if (isProbe && probing) {
        const downS = Math.round((now() - (downSinceMs ?? now())) / 1000);
        throw refuse(`Kafka has been unavailable for ${downS} s; nothing was published, retry in ${INGEST_RETRY_AFTER_S} s`);
      }
      if (isProbe) probing = true;
      inFlight++;
      try {
        const result = await send();
        markAvailable();
        return result;
      } catch (error) {
        if (isKafkaUnavailable(error)) markUnavailable(error);
        throw error;
      } finally {
        inFlight--;
        if (isProbe) probing = false;
      }
    },
    unavailableSinceMs: () => downSinceMs,
  };
}
