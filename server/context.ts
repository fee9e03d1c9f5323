// What every query function runs against: the stores of one keyspace (the only way to Cassandra
// from server/: no client here, no CQL) and the clock. The web process builds its context once,
// over one lazily connected client; tests build theirs with createQueryStores over their own
// client and keyspace.
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { probeCassandraClient, type ClientProbe } from "../adapters/health";
import { createLogger } from "../adapters/logger";
import { createMarketReadStore, type MarketReadStore } from "../adapters/market-read-store";
import { createVolModelStore, type VolModelStore } from "../adapters/vol-model-store";
import { AppError } from "./errors";
import { getSseHub } from "./live/sse-hub";
import { createLiveSparklines, type SparklineSource } from "./queries/live-sparkline-snapshot";

export interface QueryStores {
  /** The keyspace the stores read; it also names shared reads (shared-read.ts). */
  keyspace: string;
  /** Symbols, latest, candles, trades, alerts, data quality. */
  market: MarketReadStore;
  /** Volatility models and forecasts. */
  volModels: VolModelStore;
}

export interface QueryContext extends QueryStores {
  /** Wall clock, passed in so "recent" queries are testable. */
  nowMs: () => number;
  /** Equal hot reads within this many ms share one execution (see shared-read.ts); unset = never. */
  sharedReadTtlMs?: number;
  /** In-memory sparklines fed by the live stream (the web process); unset = read from Cassandra. */
  sparklines?: SparklineSource;
}

/** The stores of `keyspace` over `client` (clients are not bound to a keyspace: statements name it). */
export function createQueryStores(client: CassandraClient, keyspace: string): QueryStores {
  return { keyspace, market: createMarketReadStore(client, keyspace), volModels: createVolModelStore(client, keyspace) };
}

// `client` is set when getQueryContext connected it (closeQueryContext shuts it down), not for a
// context a test installed (its caller owns the client).
type Shared = { context: Promise<QueryContext>; client?: Promise<CassandraClient> };

// On globalThis so that Next's dev-mode module reloads reuse the connection instead of leaking one.
const holder = globalThis as typeof globalThis & { __tickstreamQueryContext?: Shared };

/** The process-wide context: connects on first use; a failed connect is retried on the next call. */
export function getQueryContext(): Promise<QueryContext> {
  if (!holder.__tickstreamQueryContext) {
    const config = getConfig();
    const client = connectCassandra({
      contactPoints: config.cassandra.contactPoints,
      localDataCenter: config.cassandra.localDataCenter,
      log: createLogger("web-cassandra"),
    });
    const context = client.then(
      (connected): QueryContext => {
        const stores = createQueryStores(connected, config.cassandra.keyspace);
        return {
          ...stores,
          nowMs: Date.now,
          sharedReadTtlMs: config.api.sharedReadTtlMs,
          // The hub (and its one reader) is created on the first overview, not here.
          sparklines: createLiveSparklines({
            candles: stores.market,
            tap: (listener) => getSseHub().tap(listener),
            nowMs: Date.now,
            log: createLogger("sparklines"),
          }),
        };
      },
      (error: unknown) => {
        holder.__tickstreamQueryContext = undefined;
        throw new AppError("UNAVAILABLE", { message: "the market database is unavailable", retriable: true, cause: error });
      },
    );
    holder.__tickstreamQueryContext = { context, client };
  }
  return holder.__tickstreamQueryContext.context;
}

/**
 * A read through the client every query of this process uses, if it has connected one (undefined
 * otherwise: the first query will connect afresh). The health view needs it: a fresh probe can
 * succeed while this client still waits to reconnect, and reads fail.
 */
export async function probeQueryClient(): Promise<ClientProbe | undefined> {
  const client = await holder.__tickstreamQueryContext?.client?.catch(() => undefined);
  if (client === undefined) return undefined;
  try {
    await probeCassandraClient(client);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Makes every request of this process use `context` (tests of the route handlers); the caller owns its client. */
export function setQueryContext(context: QueryContext | undefined): void {
  holder.__tickstreamQueryContext = context ? { context: Promise.resolve(context) } : undefined;
}

/** Shuts the shared client down (process exit); a later call connects again. */
export async function closeQueryContext(): Promise<void> {
  const shared = holder.__tickstreamQueryContext;
  holder.__tickstreamQueryContext = undefined;
  if (!shared?.client) return;
  const context = await shared.context.catch(() => undefined);
  context?.sparklines?.close();
  await (await shared.client.catch(() => undefined))?.shutdown();
}
