// npm run db:migrate — applies pending CQL migrations to the configured keyspace.
import { pathToFileURL } from "node:url";
import { connectCassandra } from "../adapters/cassandra";
import { getConfig, type AppConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { migrate, type MigrateResult } from "./migrations";

export async function migrateConfigured(config: AppConfig = getConfig()): Promise<MigrateResult> {
  const log = createLogger("migrate");
  const connect = (keyspace?: string) =>
    connectCassandra({
      contactPoints: config.cassandra.contactPoints,
      localDataCenter: config.cassandra.localDataCenter,
      ...(keyspace ? { keyspace } : {}),
      security: config.cassandra.security,
      consistency: config.cassandra.consistency,
      log,
    });
  return migrate(connect, config.cassandra.keyspace, config.cassandra.replication, undefined, (name) =>
    console.log(`migrate: applying ${name}`),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  migrateConfigured()
    .then((result) => console.log(`migrate: ${result.applied.length} applied, ${result.skipped.length} already applied`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
