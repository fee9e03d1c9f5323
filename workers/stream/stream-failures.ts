// How the stream worker treats a failed read or write: retriable (a server down, slow or
// overloaded: back off and try the same plan again, nothing committed meanwhile) or fatal for the
// process (a bug, a schema or credentials problem: retrying cannot help, so the process exits and
// its supervisor restarts it). A bad message is neither: the fold sends it to the DLQ.
import cassandra from "cassandra-driver";

export type FailureClass = "retriable" | "fatal";

const codes = cassandra.types.responseErrorCodes;
const RETRIABLE_RESPONSE_CODES = new Set<number>([
  codes.serverError,
  codes.overloaded,
  codes.isBootstrapping,
  codes.unavailableException,
  codes.writeTimeout,
  codes.readTimeout,
  codes.readFailure,
  codes.writeFailure,
  codes.truncateError,
  codes.unprepared,
]);
const RETRIABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** Classifies an error of a Cassandra or Kafka call. */
export function classifyFailure(error: unknown): FailureClass {
  const e = cassandra.errors;
  if (error instanceof e.NoHostAvailableError || error instanceof e.OperationTimedOutError || error instanceof e.BusyConnectionError)
    return "retriable";
  if (error instanceof e.ResponseError) return RETRIABLE_RESPONSE_CODES.has(error.code) ? "retriable" : "fatal";
  // kafkajs's errors are not named ESM exports: recognise them by name and their `retriable` flag.
  const kafka = error as { name?: unknown; retriable?: unknown } | null;
  if (typeof kafka?.name === "string" && kafka.name.startsWith("KafkaJS")) {
    return kafka.retriable === true || kafka.name === "KafkaJSNumberOfRetriesExceeded" || kafka.name === "KafkaJSConnectionError"
      ? "retriable"
      : "fatal";
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && RETRIABLE_NODE_CODES.has(code)) return "retriable";
  return "fatal";
}

/** A failure the worker cannot recover from by retrying: the process should exit (its supervisor restarts it). */
export class FatalStreamError extends Error {
  override name = "FatalStreamError";
  constructor(what: string, cause: unknown) {
    super(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
