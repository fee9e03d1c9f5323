// What "ready" means for a local stack beyond each service's health probe: every broker of a
// cluster registered, every Cassandra node seeing all the others, and on a secure stack the app's
// Cassandra role in place of the default superuser (cassandra/cassandra, dropped once replaced).
// services:up polls these until they pass (each throws while not yet).
import cassandra from "cassandra-driver";
import pino from "pino";
import { LOCAL_PORTS, readLocalSecrets, type AppConfig, type LocalStack } from "../adapters/config";
import { cassandraClientOptions, type CassandraClient } from "../adapters/cassandra";
import { createKafka } from "../adapters/kafka";

// Probes run every second while the servers boot; their connection errors are expected noise.
const quietLog = pino({ level: "silent" });

/** Throws until all of the stack's brokers are registered with the cluster. */
export async function kafkaBrokersJoined(config: AppConfig, expected: number): Promise<void> {
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-ready`,
    log: quietLog,
    retries: 0,
    connectionTimeoutMs: 3_000,
    security: config.kafka.security,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    if (brokers.length < expected) throw new Error(`${brokers.length} of ${expected} brokers registered`);
  } finally {
    await admin.disconnect();
  }
}

type Credentials = { username: string; password: string };

/** A client that sends every statement to `host` alone (not to the peers it discovers). */
async function connectTo(config: AppConfig, host: string, credentials: Credentials | undefined): Promise<CassandraClient> {
  const endpoint = `${host}:${LOCAL_PORTS.cassandra}`;
  const options = cassandraClientOptions({
    contactPoints: [endpoint],
    localDataCenter: config.cassandra.localDataCenter,
    security: { ...config.cassandra.security, credentials },
  });
  const client = new cassandra.Client({
    ...options,
    policies: {
      ...options.policies,
      loadBalancing: new cassandra.policies.loadBalancing.AllowListPolicy(
        new cassandra.policies.loadBalancing.DCAwareRoundRobinPolicy(config.cassandra.localDataCenter),
        [endpoint],
      ),
    },
  });
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw error;
  }
  return client;
}

async function withClient<T>(
  config: AppConfig,
  host: string,
  credentials: Credentials | undefined,
  use: (client: CassandraClient) => Promise<T>,
): Promise<T> {
  const client = await connectTo(config, host, credentials);
  try {
    return await use(client);
  } finally {
    await client.shutdown();
  }
}

/** The default superuser a fresh PasswordAuthenticator node creates. */
const DEFAULT_SUPERUSER: Credentials = { username: "cassandra", password: "cassandra" };

/**
 * Throws until every node of the stack answers and lists all the others as peers; on a secure
 * stack, first creates the app's role (superuser: it creates keyspaces) and drops the default one,
 * after giving system_auth one replica per node so a login needs no particular node.
 */
export async function cassandraNodesReady(config: AppConfig, stack: LocalStack): Promise<void> {
  const [first = "127.0.0.1"] = stack.hosts;
  const app = stack.secure ? readLocalSecrets(stack).cassandra : undefined;
  let login = app;
  if (app !== undefined) {
    login = await withClient(config, first, app, () => Promise.resolve(app)).catch(async (appError: unknown) =>
      // Not provisioned yet (or the node is still starting: then this fails too and the poll retries).
      withClient(config, first, DEFAULT_SUPERUSER, () => Promise.resolve(DEFAULT_SUPERUSER)).catch((error: unknown) => {
        throw new Error(
          `neither the app's role nor the default superuser can log in yet: ${(appError as Error).message}; ${(error as Error).message}`,
        );
      }),
    );
  }
  for (const host of stack.hosts) {
    const peers = await withClient(
      config,
      host,
      login,
      async (client) => (await client.execute("SELECT peer FROM system.peers_v2")).rowLength,
    );
    if (peers < stack.hosts.length - 1) throw new Error(`node ${host} sees ${peers} of ${stack.hosts.length - 1} peers`);
  }
  if (app === undefined || login === app) return;
  await withClient(config, first, DEFAULT_SUPERUSER, async (client) => {
    await client.execute(
      `ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', '${config.cassandra.localDataCenter}': ${stack.hosts.length}}`,
    );
    await client.execute(
      `CREATE ROLE IF NOT EXISTS ${app.username} WITH PASSWORD = '${app.password}' AND LOGIN = true AND SUPERUSER = true`,
    );
  });
  await withClient(config, first, app, (client) => client.execute(`DROP ROLE IF EXISTS ${DEFAULT_SUPERUSER.username}`));
}
