// What every query function runs against: a Cassandra client and the keyspace its tables live in
// (the client is not bound to a keyspace, so queries qualify tables). The web process shares one
// lazily connected client; tests pass their own client and keyspace.
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { AppError } from "./errors";
import { getSseHub } from "./live/sse-hub";
import { createLiveSparklines, type SparklineSource } from "./queries/live-sparkline-snapshot";

export interface QueryContext {
  client: CassandraClient;
  keyspace: string;
  /** Wall clock, passed in so "recent" queries are testable. */
  nowMs: () => number;
  /** Equal hot reads within this many ms share one execution (see shared-read.ts); unset = never. */
  sharedReadTtlMs?: number;
  /** In-memory sparklines fed by the live stream (the web process); unset = read from Cassandra. */
  sparklines?: SparklineSource;
}

type Shared = { context: Promise<QueryContext>; override: boolean };

// On globalThis so that Next's dev-mode module reloads reuse the connection instead of leaking one.
const holder = globalThis as typeof globalThis & { __tickstreamQueryContext?: Shared };

/** The process-wide context: connects on first use; a failed connect is retried on the next call. */
export function getQueryContext(): Promise<QueryContext> {
  if (!holder.__tickstreamQueryContext) {
    const config = getConfig();
    const context = connectCassandra({
      contactPoints: config.cassandra.contactPoints,
      localDataCenter: config.cassandra.localDataCenter,
      log: createLogger("web-cassandra"),
    }).then(
      (client): QueryContext => ({
        client,
        keyspace: config.cassandra.keyspace,
        nowMs: Date.now,
        sharedReadTtlMs: config.api.sharedReadTtlMs,
        // The hub (and its one reader) is created on the first overview, not here.
        sparklines: createLiveSparklines({
          client,
          keyspace: config.cassandra.keyspace,
          tap: (listener) => getSseHub().tap(listener),
          nowMs: Date.now,
          log: createLogger("sparklines"),
        }),
      }),
      (error: unknown) => {
        holder.__tickstreamQueryContext = undefined;
        throw new AppError("UNAVAILABLE", { message: "the market database is unavailable", retriable: true, cause: error });
      },
    );
    holder.__tickstreamQueryContext = { context, override: false };
  }
  return holder.__tickstreamQueryContext.context;
}

/** Makes every request of this process use `context` (tests of the route handlers); the caller owns its client. */
export function setQueryContext(context: QueryContext | undefined): void {
  holder.__tickstreamQueryContext = context ? { context: Promise.resolve(context), override: true } : undefined;
}

/** Shuts the shared client down (process exit); a later call connects again. */
export async function closeQueryContext(): Promise<void> {
  const shared = holder.__tickstreamQueryContext;
  holder.__tickstreamQueryContext = undefined;
  if (!shared || shared.override) return;
  const context = await shared.context.catch(() => undefined);
  context?.sparklines?.close();
  await context?.client.shutdown();
}
