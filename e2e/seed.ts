// Fresh data for one spec run: symbols no earlier run used, written into the configured keyspace
// through the adapters exactly as the stream worker stores them, and removed from the listings after.
import { randomBytes } from "node:crypto";
import { connectCassandra, type CassandraClient } from "../adapters/cassandra";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { exchangeDate, venueOf } from "../core/exchange-time";
import { seedDay, type SeedDayOptions, type SeededDay } from "../test/market-fixtures";

/** A ticker no other run uses, e.g. "EZ4K9QX2". */
export function freshSymbol(prefix = "EZ"): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return prefix + Array.from(randomBytes(6), (b) => alphabet[b % alphabet.length]).join("");
}

/** Today in `symbol`'s venue time zone (New York for a fresh ticker): the only day the symbol page streams live. */
export function liveDay(symbol: string): string {
  return exchangeDate(venueOf(symbol), Date.now());
}

export interface Seeder {
  seed(options: SeedDayOptions): Promise<SeededDay>;
  /** Drops the seeded symbols from the listings (latest, symbols) and closes the client. */
  close(): Promise<void>;
}

export async function openSeeder(): Promise<Seeder> {
  const config = getConfig();
  const client: CassandraClient = await connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    log: createLogger("e2e-seed"),
  });
  const keyspace = config.cassandra.keyspace;
  const seeded: string[] = [];
  return {
    async seed(options) {
      seeded.push(options.symbol);
      return seedDay(client, keyspace, options);
    },
    async close() {
      for (const symbol of seeded) {
        await client.execute(`DELETE FROM ${keyspace}.latest WHERE symbol = ?`, [symbol]);
        await client.execute(`DELETE FROM ${keyspace}.symbols WHERE symbol = ?`, [symbol]);
      }
      await client.shutdown();
    },
  };
}
