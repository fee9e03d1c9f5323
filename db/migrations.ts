// Numbered CQL migrations: applied in order once, recorded with a checksum in schema_migrations;
// an applied file that has since changed is refused (write a new migration instead).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { CassandraClient } from "../adapters/cassandra";
import type { Replication } from "../adapters/config";

export const MIGRATIONS_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), "migrations");

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Splits a CQL file into statements: `;` ends one, `--` comments and blank lines are dropped. */
export function splitStatements(cql: string): string[] {
  const withoutComments = cql
    .split("\n")
    .map((line) => line.replace(/--.*$/, "").trimEnd())
    .join("\n");
  return withoutComments
    .split(";")
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/** Reads `NNN_name.cql` files in version order; versions must be unique. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".cql"))
    .map((file) => {
      const match = /^(\d+)_([\w-]+)\.cql$/.exec(file);
      if (!match) throw new Error(`migration file name must be NNN_name.cql: ${file}`);
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      return {
        version: Number(match[1]),
        name: file,
        checksum: createHash("sha256").update(text).digest("hex"),
        statements: splitStatements(text),
      };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new Error(`two migrations share version ${migrations[i]?.version}`);
    }
  }
  return migrations;
}

function replicationCql(replication: Replication): string {
  const entries = Object.entries(replication).map(([key, value]) => `'${key}': ${typeof value === "number" ? value : `'${value}'`}`);
  return `{${entries.join(", ")}}`;
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

/**
 * Creates the keyspace if needed and applies pending migrations. `connect(keyspace?)` opens a
 * client; the keyspace may not exist yet, so a first client is opened without one, and the
 * migration files, which name tables without a keyspace, run on a client bound to it.
 */
export async function migrate(
  connect: (keyspace?: string) => Promise<CassandraClient>,
  keyspace: string,
  replication: Replication,
  migrations: Migration[] = readMigrations(),
  onApply: (name: string) => void = () => undefined,
): Promise<MigrateResult> {
  const admin = await connect();
  try {
    await admin.execute(`CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replicationCql(replication)}`);
  } finally {
    await admin.shutdown();
  }
  const client = await connect(keyspace);
  try {
    return await applyPending(client, migrations, onApply);
  } finally {
    await client.shutdown();
  }
}

async function applyPending(client: CassandraClient, migrations: Migration[], onApply: (name: string) => void): Promise<MigrateResult> {
  // DDL is not prepared: Cassandra 5 warns about preparing unqualified names on a bound session.
  const unprepared = { prepare: false };
  await client.execute(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text, checksum text, applied_at timestamp)`,
    [],
    unprepared,
  );
  const applied = new Map<number, { name: string; checksum: string }>();
  const rows = await client.execute(`SELECT version, name, checksum FROM schema_migrations`, [], unprepared);
  for (const row of rows.rows) {
    applied.set(row.get("version") as number, { name: row.get("name") as string, checksum: row.get("checksum") as string });
  }

  const result: MigrateResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    const done = applied.get(migration.version);
    if (done) {
      if (done.checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was applied as ${done.name} and has changed since ` +
            `(checksum ${done.checksum.slice(0, 12)} ≠ ${migration.checksum.slice(0, 12)}): ` +
            `add a new migration instead of editing an applied one`,
        );
      }
      result.skipped.push(migration.name);
      continue;
    }
    onApply(migration.name);
    for (const statement of migration.statements) {
      await client.execute(statement, [], unprepared);
    }
    await client.execute(
      `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)`,
      [migration.version, migration.name, migration.checksum, new Date()],
      { ...unprepared, hints: ["int", "text", "text", "timestamp"] },
    );
    result.applied.push(migration.name);
  }
  return result;
}
