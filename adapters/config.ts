// The one place that reads process.env: parses and validates every setting once, with loopback
// defaults, so every process fails at start with one readable message instead of deep inside.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_ANOMALY_CONFIG, type AnomalyConfig } from "../core/anomaly";
import { DASHBOARD_TRPC_BATCH_CALLS } from "../core/api-limits";

const port = z.coerce.number().int().min(1).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();
/** An optional setting where an empty value counts as unset. */
const blankAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());
const onOff = z.enum(["on", "off"]);

/** The ingest API key of development and test runs when INGEST_API_KEYS is unset (never valid in production). */
export const DEV_INGEST_API_KEY = "dev-ingest-key";

/** The admin console's token in development and test runs when ADMIN_TOKEN is unset (never valid in production). */
export const DEV_ADMIN_TOKEN = "dev-admin-token";

/** Consistency levels of every Cassandra statement the app runs (CASSANDRA_CONSISTENCY). */
export const CASSANDRA_CONSISTENCIES = ["local_quorum", "quorum", "each_quorum", "all", "local_one", "one"] as const;
export type CassandraConsistency = (typeof CASSANDRA_CONSISTENCIES)[number];

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  CI: z
    .string()
    .optional()
    .transform((value) => value !== undefined && value !== "" && value !== "0" && value !== "false"),
  CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: port.default(3000),
  TICKSTREAM_DATA_DIR: optionalString,
  /** Which local stack the local defaults point at (and services:up runs): see LOCAL_STACKS. */
  LOCAL_STACK: blankAsUnset(z.enum(["single", "cluster", "secure", "cluster-secure"])),
  /** The shared real market data set (daily_yahoo/, lean_*, lobster/), read by data:load-daily. */
  MARKET_DATA_DIR: z.string().trim().min(1).default("data/samples"),

  KAFKA_BROKERS: optionalString,
  KAFKA_CLIENT_ID: z.string().min(1).default("tickstream"),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(6),
  KAFKA_REPLICATION_FACTOR: blankAsUnset(positiveInt),
  KAFKA_MIN_INSYNC_REPLICAS: blankAsUnset(positiveInt),
  KAFKA_SASL_MECHANISM: blankAsUnset(z.enum(["scram-sha-512", "scram-sha-256", "plain"])),
  KAFKA_SASL_USERNAME: optionalString,
  KAFKA_SASL_PASSWORD: optionalString,
  KAFKA_TLS: blankAsUnset(onOff),
  KAFKA_TLS_CA_FILE: optionalString,
  /** Prepended to every topic name (e.g. a per-test or per-environment namespace); empty by default. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, "may hold only letters, digits, '.', '_' and '-'")
    .default(""),

  CASSANDRA_CONTACT_POINTS: optionalString,
  CASSANDRA_LOCAL_DC: z.string().min(1).default("datacenter1"),
  CASSANDRA_KEYSPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, "must be a lower-case CQL identifier")
    .default("tickstream"),
  CASSANDRA_REPLICATION: optionalString,
  CASSANDRA_CONSISTENCY: z.enum(CASSANDRA_CONSISTENCIES).default("local_quorum"),
  CASSANDRA_USERNAME: optionalString,
  CASSANDRA_PASSWORD: optionalString,
  CASSANDRA_TLS: blankAsUnset(onOff),
  CASSANDRA_TLS_CA_FILE: optionalString,

  REDIS_URL: optionalString,

  WEBHDFS_URL: optionalString,
  HDFS_USER: z.string().min(1).default("tickstream"),
  HDFS_ARCHIVE_ROOT: z
    .string()
    .regex(/^(\/[A-Za-z0-9_.-]+)+$/, "must be an absolute HDFS path such as /tickstream")
    .default("/tickstream"),

  STREAM_GROUP_ID: z.string().min(1).default("stream"),
  STREAM_ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).default(2_000),
  STREAM_IDLE_CLOSE_MS: positiveInt.default(30_000),
  STREAM_MAX_OPEN_WINDOWS: positiveInt.default(10_000),
  STREAM_MAX_SYMBOLS: positiveInt.default(5_000),
  STREAM_MAX_FUTURE_MS: z.coerce.number().int().min(0).default(300_000),
  STREAM_DEDUP_IDS_PER_SYMBOL: positiveInt.default(512),
  STREAM_RAW_TTL_DAYS: z.coerce.number().int().min(0).max(3_650).default(30),
  STREAM_WRITE_BATCH_BYTES: z.coerce.number().int().min(1_024).max(49_152).default(32_768),
  STREAM_CONCURRENT_PARTITIONS: positiveInt.default(3),
  STREAM_WRITE_CONCURRENCY: positiveInt.default(64),
  STREAM_JOIN_TOLERANCE_MS: z.coerce.number().int().min(0).default(60_000),
  STREAM_QUOTE_VENUE_MODE: z.enum(["per-venue", "consolidated"]).default("per-venue"),
  STREAM_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1_000).optional(),
  STREAM_RETRY_MAX_BACKOFF_MS: positiveInt.default(2_000),
  STREAM_MAX_BATCH_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),

  LIVE_STREAM_MAXLEN: positiveInt.default(100_000),
  SSE_HEARTBEAT_MS: positiveInt.default(15_000),
  SSE_CLIENT_BUFFER_BYTES: z.coerce.number().int().min(4_096).default(262_144),
  SSE_CONFLATION_MAX_KEYS: positiveInt.default(10_000),
  SSE_MAX_CLIENTS: positiveInt.default(5_000),
  SSE_MAX_CLIENTS_PER_ADDRESS: positiveInt.default(32),
  SSE_STALLED_CLIENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Calls one tRPC batch request may carry; the dashboard's own batches stay at or under DASHBOARD_TRPC_BATCH_CALLS. */
  TRPC_MAX_BATCH_SIZE: z.coerce.number().int().min(DASHBOARD_TRPC_BATCH_CALLS).max(1_000).default(20),

  /** Port of a worker's own /metrics listener on 127.0.0.1; unset = no listener (Redis snapshot only). */
  METRICS_PORT: z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), port.optional()),
  METRICS_SNAPSHOT_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),

  /**
   * Comma-separated keys accepted in the ingest API's `x-api-key` header. Unset: DEV_INGEST_API_KEY
   * outside production, none in production (ingest then refuses every request).
   */
  INGEST_API_KEYS: z
    .string()
    .optional()
    .transform((value) => {
      const keys = splitList(value ?? "");
      return keys.length === 0 ? undefined : [...new Set(keys)];
    })
    .pipe(z.array(z.string().regex(/^[\x21-\x7e]{1,256}$/, "keys are 1-256 printable ASCII characters, no spaces")).optional()),
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1_048_576)
    .default(1_048_576),
  INGEST_MAX_TICKS: z.coerce.number().int().min(1).max(100_000).default(5_000),

  /**
   * Token that logs in to the admin console (/admin). Unset: DEV_ADMIN_TOKEN outside production; in
   * production a random one generated once into `<TICKSTREAM_DATA_DIR>/admin-token`.
   */
  ADMIN_TOKEN: z
    .string()
    .trim()
    .transform((value) => (value === "" ? undefined : value))
    .pipe(
      z
        .string()
        .regex(/^[\x21-\x7e]{12,256}$/, "is 12-256 printable ASCII characters, no spaces")
        .optional(),
    )
    .optional(),
  ADMIN_LOGIN_FREE_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(5),
  ADMIN_LOGIN_LOCKOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(1_000),

  API_SHARED_READ_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),

  BATCH_CONCURRENCY: positiveInt.default(1),
  BATCH_LOCK_DURATION_MS: z.coerce.number().int().min(5_000).default(60_000),
  BATCH_STALLED_INTERVAL_MS: z.coerce.number().int().min(1_000).default(30_000),
  BATCH_ROLLUP_CRON: z.string().trim().min(1).default("15 0 * * *"),
  BATCH_DATA_QUALITY_CRON: z.string().trim().min(1).default("30 0 * * *"),
  BATCH_ARCHIVE_CRON: z.string().trim().min(1).default("0 1 * * *"),
  BATCH_TRAIN_VOLATILITY_CRON: z.string().trim().min(1).default("45 0 * * *"),
  BATCH_SCHEDULES: z.enum(["on", "off"]).default("on"),
  BATCH_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "is 1-64 of A-Z a-z 0-9 _ . -")
    .default("tickstream"),
  DQ_GAP_THRESHOLD_MS: positiveInt.default(60_000),
  DQ_OUTLIER_SPREADS: z.coerce.number().positive().default(3),

  VOL_MODEL_REFRESH_MS: z.coerce.number().int().min(100).default(30_000),
  VOL_FORECAST_MAX_SYMBOLS: positiveInt.default(2_000),

  // Anomaly detectors of the stream worker; defaults are core's DEFAULT_ANOMALY_CONFIG.
  ANOMALY_PRICE_Z: z.coerce.number().positive().default(DEFAULT_ANOMALY_CONFIG.priceJump.zThreshold),
  ANOMALY_PRICE_WINDOW: positiveInt.default(DEFAULT_ANOMALY_CONFIG.priceJump.windowSize),
  ANOMALY_PRICE_MIN_HISTORY: positiveInt.default(DEFAULT_ANOMALY_CONFIG.priceJump.minHistory),
  ANOMALY_TICK_SIZE: z.coerce.number().min(0).default(DEFAULT_ANOMALY_CONFIG.priceJump.tickSize),
  ANOMALY_VOLUME_Z: z.coerce.number().positive().default(DEFAULT_ANOMALY_CONFIG.volumeSpike.zThreshold),
  ANOMALY_VOLUME_WINDOW: positiveInt.default(DEFAULT_ANOMALY_CONFIG.volumeSpike.windowSize),
  ANOMALY_VOLUME_MIN_HISTORY: positiveInt.default(DEFAULT_ANOMALY_CONFIG.volumeSpike.minHistory),
  ANOMALY_SPREAD_Z: z.coerce.number().positive().default(DEFAULT_ANOMALY_CONFIG.spreadBlowout.zThreshold),
  ANOMALY_SPREAD_WINDOW: positiveInt.default(DEFAULT_ANOMALY_CONFIG.spreadBlowout.windowSize),
  ANOMALY_SPREAD_MIN_HISTORY: positiveInt.default(DEFAULT_ANOMALY_CONFIG.spreadBlowout.minHistory),
  ANOMALY_SPREAD_MIN_RATIO: z.coerce.number().min(1).default(DEFAULT_ANOMALY_CONFIG.spreadBlowout.minRatioToMedian),
  ANOMALY_EPISODE_END_AFTER: positiveInt.default(DEFAULT_ANOMALY_CONFIG.episodeEndAfterNormal),
  ANOMALY_MAX_SYMBOLS: positiveInt.default(10_000),

  SERVICES_STARTUP_TIMEOUT_S: positiveInt.default(240),
  JAVA_HOME: optionalString,
});

export type Env = z.infer<typeof envSchema>;

const checkedEnvSchema = envSchema.superRefine((env, ctx) => {
  if (env.NODE_ENV === "production" && env.INGEST_API_KEYS?.includes(DEV_INGEST_API_KEY)) {
    ctx.addIssue({
      code: "custom",
      path: ["INGEST_API_KEYS"],
      message: `the development key "${DEV_INGEST_API_KEY}" is refused in production`,
    });
  }
  if (env.NODE_ENV === "production" && env.ADMIN_TOKEN === DEV_ADMIN_TOKEN) {
    ctx.addIssue({ code: "custom", path: ["ADMIN_TOKEN"], message: `the development token "${DEV_ADMIN_TOKEN}" is refused in production` });
  }
  if (env.KAFKA_SASL_USERNAME !== undefined && env.KAFKA_SASL_PASSWORD === undefined) {
    ctx.addIssue({ code: "custom", path: ["KAFKA_SASL_PASSWORD"], message: "is required with KAFKA_SASL_USERNAME" });
  }
  if (env.KAFKA_SASL_MECHANISM !== undefined && env.KAFKA_SASL_USERNAME === undefined) {
    ctx.addIssue({ code: "custom", path: ["KAFKA_SASL_USERNAME"], message: "is required with KAFKA_SASL_MECHANISM" });
  }
  if ((env.CASSANDRA_USERNAME === undefined) !== (env.CASSANDRA_PASSWORD === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [env.CASSANDRA_USERNAME === undefined ? "CASSANDRA_USERNAME" : "CASSANDRA_PASSWORD"],
      message: "CASSANDRA_USERNAME and CASSANDRA_PASSWORD go together",
    });
  }
  // A detector whose window cannot hold its minimum history would never alert.
  for (const kind of ["PRICE", "VOLUME", "SPREAD"] as const) {
    if (env[`ANOMALY_${kind}_MIN_HISTORY`] > env[`ANOMALY_${kind}_WINDOW`]) {
      ctx.addIssue({ code: "custom", path: [`ANOMALY_${kind}_MIN_HISTORY`], message: `must be at most ANOMALY_${kind}_WINDOW` });
    }
  }
});

/** Every environment variable the app reads (the README documents each). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

/** Cassandra keyspace replication, e.g. `SimpleStrategy:1` or `NetworkTopologyStrategy:dc1=3,dc2=2`. */
export type Replication =
  { class: "SimpleStrategy"; replication_factor: number } | { class: "NetworkTopologyStrategy"; [dataCenter: string]: number | string };

export function parseReplication(spec: string): Replication {
  const [strategy, rest = ""] = spec.split(":", 2);
  if (strategy === "SimpleStrategy") {
    const factor = Number(rest);
    if (!Number.isInteger(factor) || factor < 1) {
      throw new Error(`CASSANDRA_REPLICATION: "${spec}" needs a positive factor, e.g. SimpleStrategy:1`);
    }
    return { class: "SimpleStrategy", replication_factor: factor };
  }
  if (strategy === "NetworkTopologyStrategy") {
    const replication: Replication = { class: "NetworkTopologyStrategy" };
    for (const pair of rest.split(",").filter(Boolean)) {
      const [dc, factorText] = pair.split("=");
      const factor = Number(factorText);
      if (!dc || !/^[A-Za-z0-9_-]+$/.test(dc) || !Number.isInteger(factor) || factor < 1) {
        throw new Error(`CASSANDRA_REPLICATION: bad data-center entry "${pair}" (want dc=factor)`);
      }
      replication[dc] = factor;
    }
    if (Object.keys(replication).length === 1) {
      throw new Error(`CASSANDRA_REPLICATION: "${spec}" names no data center`);
    }
    return replication;
  }
  throw new Error(`CASSANDRA_REPLICATION: unknown strategy in "${spec}"`);
}

/**
 * The local stacks services:up can run, side by side: each on its own loopback addresses (Linux
 * routes all of 127.0.0.0/8 to lo) and its own data dir. `single` is the default stack of
 * `npm start`; `cluster` runs 3 Kafka brokers and 3 Cassandra nodes; the `secure` ones require
 * credentials and TLS. Redis and HDFS run once per stack, on its first address.
 */
export type LocalStackName = "single" | "cluster" | "secure" | "cluster-secure";

export const LOCAL_STACK_HOSTS: Readonly<Record<LocalStackName, readonly string[]>> = {
  single: ["127.0.0.1"],
  cluster: ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
  secure: ["127.0.0.5"],
  "cluster-secure": ["127.0.0.6", "127.0.0.7", "127.0.0.8"],
};

/** Ports every node of a local stack listens on (at its own address). */
export const LOCAL_PORTS = { kafka: 9092, kafkaController: 9093, cassandra: 9042, redis: 6379, webhdfs: 9870 } as const;

export interface LocalStack {
  name: LocalStackName;
  /** One address per Kafka broker and Cassandra node. */
  hosts: readonly string[];
  /** Kafka SASL/SCRAM over TLS, Cassandra password authentication over TLS, a Redis ACL user. */
  secure: boolean;
  /** Config, data, logs and pid files of its servers (`<data dir>/<service>/` for `single`, else `<data dir>/<name>/<service>/`). */
  dir: string;
}

export function localStack(name: LocalStackName, dataDir: string): LocalStack {
  return {
    name,
    hosts: LOCAL_STACK_HOSTS[name],
    secure: name.endsWith("secure"),
    dir: name === "single" ? dataDir : path.join(dataDir, name),
  };
}

/**
 * The local stack the env selects (LOCAL_STACK, TICKSTREAM_DATA_DIR) and JAVA_HOME, without the
 * rest of the config: what services:up needs to make a secure stack's secrets, which the rest reads.
 */
export function localStackOf(source: Record<string, string | undefined> = process.env): {
  stack: LocalStack;
  javaHome: string | undefined;
} {
  const parsed = envSchema.pick({ LOCAL_STACK: true, TICKSTREAM_DATA_DIR: true, JAVA_HOME: true }).safeParse(source);
  if (!parsed.success)
    throw new Error(
      `Invalid configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n")}`,
    );
  return {
    stack: localStack(parsed.data.LOCAL_STACK ?? "single", dataDirOf(parsed.data.TICKSTREAM_DATA_DIR)),
    javaHome: parsed.data.JAVA_HOME,
  };
}

/** The process env with LOCAL_STACK set (services:up --cluster/--secure, tests of another stack): for loadConfig and child processes. */
export function envWithLocalStack(name: LocalStackName): NodeJS.ProcessEnv {
  return { ...process.env, LOCAL_STACK: name };
}

// Relative to the repo root, where every npm script runs.
const dataDirOf = (value: string | undefined) => path.resolve(/*turbopackIgnore: true*/ value ?? ".data");

const credentialsSchema = z.object({ username: z.string().min(1), password: z.string().min(16) });

/** The secrets services:up generates for a secure local stack (never committed): its users and key store password. */
export const localSecretsSchema = z.object({
  /** The app's Kafka SCRAM user. */
  kafka: credentialsSchema,
  /** The brokers' own SCRAM user (inter-broker). */
  kafkaBroker: credentialsSchema,
  cassandra: credentialsSchema,
  redis: credentialsSchema,
  /** Of the servers' PKCS12 key store and trust store. */
  storePassword: z.string().min(16),
});
export type LocalSecrets = z.infer<typeof localSecretsSchema>;

/** Where a secure local stack keeps its CA, certificates, key stores and credentials (mode 700). */
export const localSecretsDir = (stack: LocalStack) => path.join(stack.dir, "secrets");
export const localSecretsFile = (stack: LocalStack) => path.join(localSecretsDir(stack), "credentials.json");
/** The PEM of the CA that signed the stack's server certificates: what its clients trust. */
export const localCaFile = (stack: LocalStack) => path.join(localSecretsDir(stack), "ca.pem");

/** The stack's generated secrets; throws one readable error when services:up has not made them yet. */
export function readLocalSecrets(stack: LocalStack): LocalSecrets {
  let text: string;
  try {
    text = fs.readFileSync(localSecretsFile(stack), "utf8");
  } catch {
    throw new Error(
      `Invalid configuration:\n  LOCAL_STACK: the secure local stack "${stack.name}" has no secrets yet (${localSecretsFile(stack)}): ` +
        `run LOCAL_STACK=${stack.name} npm run services:up first`,
    );
  }
  return localSecretsSchema.parse(JSON.parse(text));
}

/** Addresses of a local stack's servers (a secure stack's Redis URL carries its ACL user). */
export function localEndpoints(stack: LocalStack, secrets: LocalSecrets | undefined) {
  const [first = "127.0.0.1"] = stack.hosts;
  const redisUser = secrets ? `${encodeURIComponent(secrets.redis.username)}:${encodeURIComponent(secrets.redis.password)}@` : "";
  return {
    kafka: stack.hosts.map((host) => `${host}:${LOCAL_PORTS.kafka}`).join(","),
    cassandra: stack.hosts.map((host) => `${host}:${LOCAL_PORTS.cassandra}`).join(","),
    redis: `redis://${redisUser}${first}:${LOCAL_PORTS.redis}`,
    webhdfs: `http://${first}:${LOCAL_PORTS.webhdfs}/webhdfs/v1`,
  };
}

/** How Kafka clients connect: TLS (with the CA to trust, unset = Node's default CAs) and SASL. */
export interface KafkaSecurity {
  tls: { caFile: string | undefined } | undefined;
  sasl: { mechanism: "scram-sha-512" | "scram-sha-256" | "plain"; username: string; password: string } | undefined;
}

/** How Cassandra clients connect: client TLS (with the CA to trust) and PasswordAuthenticator credentials. */
export interface CassandraSecurity {
  tls: { caFile: string | undefined } | undefined;
  credentials: { username: string; password: string } | undefined;
}

export interface AppConfig {
  env: Env["NODE_ENV"];
  /** Running under CI: no reuse of a developer's running servers in e2e, no retries. */
  ci: boolean;
  chromiumPath: string;
  logLevel: Env["LOG_LEVEL"];
  webPort: number;
  dataDir: string;
  /** The local stack whose servers the local defaults point at (LOCAL_STACK). */
  localStack: LocalStack;
  /** The shared real market data set, absolute. */
  marketDataDir: string;
  javaHome: string | undefined;
  servicesStartupTimeoutMs: number;
  kafka: {
    brokers: string[];
    external: boolean;
    clientId: string;
    partitions: number;
    replicationFactor: number;
    /** `min.insync.replicas` of created topics; undefined = the brokers' default. */
    minInsyncReplicas: number | undefined;
    topicPrefix: string;
    security: KafkaSecurity;
  };
  cassandra: {
    contactPoints: string[];
    external: boolean;
    localDataCenter: string;
    keyspace: string;
    replication: Replication;
    /** Of every read and write. */
    consistency: CassandraConsistency;
    security: CassandraSecurity;
  };
  redis: { url: string; external: boolean };
  /** archiveRoot: where the tick archive lives (core/archive-layout under it). */
  hdfs: { webhdfsUrl: string; external: boolean; user: string; archiveRoot: string };
  stream: StreamSettings;
  live: LiveSettings;
  metrics: MetricsSettings;
  ingest: IngestSettings;
  admin: AdminSettings;
  batch: BatchSettings;
  volForecast: VolForecastSettings;
  anomaly: AnomalySettings;
  api: {
    /** Equal candle-range and overview reads within this window share one execution; 0 = off. */
    sharedReadTtlMs: number;
    /** Calls one tRPC batch request may carry; more get 400. */
    trpcMaxBatchSize: number;
  };
}

/** The ingest API (POST /api/v1/ingest/*, tRPC ingest.*). */
export interface IngestSettings {
  /** Keys accepted in the `x-api-key` header; empty = every ingest request is refused. */
  apiKeys: string[];
  /** Largest request body read; a bigger one is refused with 413 before or while reading it. */
  maxBodyBytes: number;
  /** Most ticks one request may carry. */
  maxTicks: number;
}

/** The admin console (/admin, /api/admin). */
export interface AdminSettings {
  /**
   * The login token; undefined in production when ADMIN_TOKEN is unset: the web process then
   * generates one into `<dataDir>/admin-token` (server/admin/admin-token.ts).
   */
  token: string | undefined;
  /** Login attempts one client address may make before it is locked out. */
  loginFreeAttempts: number;
  /** The first lockout of a client address; each further failed login doubles it (capped). */
  loginFirstLockoutMs: number;
}

/** Live updates: the Redis stream workers publish to and the web process's SSE hub. */
export interface LiveSettings {
  /** Approximate cap (`XADD MAXLEN ~`) on entries kept in the live stream: how far back a client can resume. */
  streamMaxLen: number;
  /** A `: hb` comment line goes to every SSE client this often, so proxies keep idle connections open. */
  heartbeatMs: number;
  /** Bytes queued for one SSE client before its updates are conflated (newest per key). */
  clientBufferBytes: number;
  /** Keys one slow client's conflation buffer may hold; beyond it the client is told to reload a snapshot. */
  conflationMaxKeys: number;
  /** SSE connections one web process accepts; more get 503. */
  maxClients: number;
  /** SSE connections one client address may hold at once; more get 503. */
  maxClientsPerAddress: number;
  /** A client whose buffer stays full this long is cut off (it is not reading). */
  stalledClientTimeoutMs: number;
}

/** Prometheus metrics of worker processes. */
export interface MetricsSettings {
  /** A worker's own `/metrics` listener on 127.0.0.1, if set. */
  port: number | undefined;
  /** How often a worker publishes its metrics snapshot to Redis (kept for 3× this). */
  snapshotIntervalMs: number;
}

/** Settings of the batch worker (workers/batch) and its job schedulers. */
export interface BatchSettings {
  /** Jobs one batch worker process runs at once. */
  concurrency: number;
  /** A job's lock lives this long unless renewed (every half of it); after it lapses the job counts as stalled. */
  lockDurationMs: number;
  /** How often a worker looks for stalled jobs (whose worker died) and puts them back in the queue. */
  stalledIntervalMs: number;
  /** Cron (UTC) of the daily rollup of the previous UTC day. */
  rollupCron: string;
  /** Cron (UTC) of the daily data-quality run of the previous UTC day. */
  dataQualityCron: string;
  /** Cron (UTC) of the daily HDFS archive of the previous UTC day's raw ticks. */
  archiveCron: string;
  /** Cron (UTC) of the daily volatility-model training on data through the previous UTC day. */
  trainVolatilityCron: string;
  /** Whether the batch worker upserts its job schedulers at start. */
  schedules: boolean;
  /** BullMQ key prefix of the batch worker's queue (an isolated worker for tests uses its own). */
  queuePrefix: string;
  /** Data quality: a pause between trades longer than this is a gap. */
  gapThresholdMs: number;
  /** Data quality: a trade outside [bid − k·spread, ask + k·spread] is an outlier; this is k. */
  outlierSpreads: number;
}

/** The stream worker's live volatility forecaster (workers/stream/vol-forecaster). */
export interface VolForecastSettings {
  /** How often the newest vol_models version of each symbol is reloaded (a retrain is picked up within this). */
  modelRefreshMs: number;
  /** Most symbols scored (and held in memory) per worker. */
  maxSymbols: number;
}

/** The stream worker's anomaly scoring (workers/stream/anomaly-scorer). */
export interface AnomalySettings {
  detectors: AnomalyConfig;
  /** Symbols whose detectors one scorer (a partition's) holds; past it the least recently seen is dropped. */
  maxSymbols: number;
}

/** Settings of the stream worker (workers/stream). */
export interface StreamSettings {
  /** Kafka consumer group every stream worker process joins. */
  groupId: string;
  /** A symbol's watermark = the max event time of its trades minus this. */
  allowedLatenessMs: number;
  /** A symbol without trades for this much wall time (on a partition that is read and written) finalizes its open windows. */
  idleCloseMs: number;
  /** Cap on windows one symbol holds in memory; past it its oldest closes early. */
  maxOpenWindows: number;
  /** Symbols a trades partition holds in memory; past it the least recently traded one is dropped (restored on its next trade). */
  maxSymbols: number;
  /** A tick further ahead of its Kafka record's timestamp goes to the DLQ. */
  maxFutureMs: number;
  /** Trade ids each symbol remembers for de-duplication; older repeats are checked in the raw trades table. */
  dedupIdsPerSymbol: number;
  /** TTL of raw tick rows in days (0: kept forever); the HDFS archive is the cold copy. */
  rawTtlDays: number;
  /** Most bytes of one UNLOGGED single-partition batch of raw rows (below Cassandra's batch_size_fail_threshold, 50 KiB by default). */
  writeBatchBytes: number;
  /** Partitions one worker folds and writes at the same time. */
  concurrentPartitions: number;
  /** Concurrent Cassandra requests per bulk write. */
  writeConcurrency: number;
  /** A trade joins the NBBO only if the latest quote is at most this much older (event time). */
  joinToleranceMs: number;
  quoteVenueMode: "per-venue" | "consolidated";
  /** Kafka group session timeout: how soon a killed worker's partitions move to the others. */
  sessionTimeoutMs: number;
  /** Cap of the exponential backoff while Cassandra or Kafka writes fail (the consumer waits). */
  retryMaxBackoffMs: number;
  /** Most bytes fetched per partition per batch: bounds memory and the work one batch commits. */
  maxBatchBytes: number;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Parses an env map (process.env by default) into the typed config; throws one readable error. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = checkedEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const dataDir = dataDirOf(env.TICKSTREAM_DATA_DIR);
  const stack = localStack(env.LOCAL_STACK ?? "single", dataDir);
  const kafkaLocal = env.KAFKA_BROKERS === undefined;
  const cassandraLocal = env.CASSANDRA_CONTACT_POINTS === undefined;
  // A secure local stack's credentials apply to the services that are local; set ones win.
  const secrets = stack.secure && (kafkaLocal || cassandraLocal || env.REDIS_URL === undefined) ? readLocalSecrets(stack) : undefined;
  const local = localEndpoints(stack, secrets);
  const nodes = stack.hosts.length;
  const resolveFile = (file: string | undefined) => (file === undefined ? undefined : path.resolve(/*turbopackIgnore: true*/ file));
  const kafkaSecure = kafkaLocal && secrets !== undefined;
  const cassandraSecure = cassandraLocal && secrets !== undefined;
  return {
    env: env.NODE_ENV,
    ci: env.CI,
    chromiumPath: env.CHROMIUM_PATH,
    logLevel: env.LOG_LEVEL,
    webPort: env.PORT,
    dataDir,
    localStack: stack,
    marketDataDir: path.resolve(/*turbopackIgnore: true*/ env.MARKET_DATA_DIR),
    javaHome: env.JAVA_HOME,
    servicesStartupTimeoutMs: env.SERVICES_STARTUP_TIMEOUT_S * 1000,
    kafka: {
      brokers: splitList(env.KAFKA_BROKERS ?? local.kafka),
      external: !kafkaLocal,
      clientId: env.KAFKA_CLIENT_ID,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      // A local cluster: every topic on all three brokers, a write acknowledged once two have it.
      replicationFactor: env.KAFKA_REPLICATION_FACTOR ?? Math.min(nodes, 3),
      minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS ?? (nodes >= 3 ? 2 : undefined),
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      security: {
        tls:
          (env.KAFKA_TLS ?? (env.KAFKA_TLS_CA_FILE !== undefined || kafkaSecure ? "on" : "off")) === "on"
            ? { caFile: resolveFile(env.KAFKA_TLS_CA_FILE) ?? (kafkaSecure ? localCaFile(stack) : undefined) }
            : undefined,
        sasl:
          env.KAFKA_SASL_USERNAME !== undefined && env.KAFKA_SASL_PASSWORD !== undefined
            ? {
                mechanism: env.KAFKA_SASL_MECHANISM ?? "scram-sha-512",
                username: env.KAFKA_SASL_USERNAME,
                password: env.KAFKA_SASL_PASSWORD,
              }
            : kafkaSecure
              ? { mechanism: "scram-sha-512", ...secrets.kafka }
              : undefined,
      },
    },
    cassandra: {
      contactPoints: splitList(env.CASSANDRA_CONTACT_POINTS ?? local.cassandra),
      external: !cassandraLocal,
      localDataCenter: env.CASSANDRA_LOCAL_DC,
      keyspace: env.CASSANDRA_KEYSPACE,
      // The local stacks' nodes are all in SimpleSnitch's datacenter1.
      replication: parseReplication(
        env.CASSANDRA_REPLICATION ?? (nodes >= 3 ? "NetworkTopologyStrategy:datacenter1=3" : "SimpleStrategy:1"),
      ),
      consistency: env.CASSANDRA_CONSISTENCY,
      security: {
        tls:
          (env.CASSANDRA_TLS ?? (env.CASSANDRA_TLS_CA_FILE !== undefined || cassandraSecure ? "on" : "off")) === "on"
            ? { caFile: resolveFile(env.CASSANDRA_TLS_CA_FILE) ?? (cassandraSecure ? localCaFile(stack) : undefined) }
            : undefined,
        credentials:
          env.CASSANDRA_USERNAME !== undefined && env.CASSANDRA_PASSWORD !== undefined
            ? { username: env.CASSANDRA_USERNAME, password: env.CASSANDRA_PASSWORD }
            : cassandraSecure
              ? { ...secrets.cassandra }
              : undefined,
      },
    },
    redis: { url: env.REDIS_URL ?? local.redis, external: env.REDIS_URL !== undefined },
    hdfs: {
      webhdfsUrl: (env.WEBHDFS_URL ?? local.webhdfs).replace(/\/+$/, ""),
      external: env.WEBHDFS_URL !== undefined,
      user: env.HDFS_USER,
      archiveRoot: env.HDFS_ARCHIVE_ROOT,
    },
    stream: {
      groupId: env.STREAM_GROUP_ID,
      allowedLatenessMs: env.STREAM_ALLOWED_LATENESS_MS,
      idleCloseMs: env.STREAM_IDLE_CLOSE_MS,
      maxOpenWindows: env.STREAM_MAX_OPEN_WINDOWS,
      maxSymbols: env.STREAM_MAX_SYMBOLS,
      maxFutureMs: env.STREAM_MAX_FUTURE_MS,
      dedupIdsPerSymbol: env.STREAM_DEDUP_IDS_PER_SYMBOL,
      rawTtlDays: env.STREAM_RAW_TTL_DAYS,
      writeBatchBytes: env.STREAM_WRITE_BATCH_BYTES,
      concurrentPartitions: env.STREAM_CONCURRENT_PARTITIONS,
      writeConcurrency: env.STREAM_WRITE_CONCURRENCY,
      joinToleranceMs: env.STREAM_JOIN_TOLERANCE_MS,
      quoteVenueMode: env.STREAM_QUOTE_VENUE_MODE,
      // The local broker allows short sessions (group.min.session.timeout.ms=1000): failover in
      // seconds. A stock broker refuses less than 6 s.
      sessionTimeoutMs: env.STREAM_SESSION_TIMEOUT_MS ?? (env.KAFKA_BROKERS === undefined ? 3_000 : 10_000),
      retryMaxBackoffMs: env.STREAM_RETRY_MAX_BACKOFF_MS,
      maxBatchBytes: env.STREAM_MAX_BATCH_BYTES,
    },
    live: {
      streamMaxLen: env.LIVE_STREAM_MAXLEN,
      heartbeatMs: env.SSE_HEARTBEAT_MS,
      clientBufferBytes: env.SSE_CLIENT_BUFFER_BYTES,
      conflationMaxKeys: env.SSE_CONFLATION_MAX_KEYS,
      maxClients: env.SSE_MAX_CLIENTS,
      maxClientsPerAddress: env.SSE_MAX_CLIENTS_PER_ADDRESS,
      stalledClientTimeoutMs: env.SSE_STALLED_CLIENT_TIMEOUT_MS,
    },
    batch: {
      concurrency: env.BATCH_CONCURRENCY,
      lockDurationMs: env.BATCH_LOCK_DURATION_MS,
      stalledIntervalMs: env.BATCH_STALLED_INTERVAL_MS,
      rollupCron: env.BATCH_ROLLUP_CRON,
      dataQualityCron: env.BATCH_DATA_QUALITY_CRON,
      archiveCron: env.BATCH_ARCHIVE_CRON,
      trainVolatilityCron: env.BATCH_TRAIN_VOLATILITY_CRON,
      schedules: env.BATCH_SCHEDULES === "on",
      queuePrefix: env.BATCH_QUEUE_PREFIX,
      gapThresholdMs: env.DQ_GAP_THRESHOLD_MS,
      outlierSpreads: env.DQ_OUTLIER_SPREADS,
    },
    volForecast: { modelRefreshMs: env.VOL_MODEL_REFRESH_MS, maxSymbols: env.VOL_FORECAST_MAX_SYMBOLS },
    anomaly: {
      detectors: {
        priceJump: {
          ...DEFAULT_ANOMALY_CONFIG.priceJump,
          zThreshold: env.ANOMALY_PRICE_Z,
          windowSize: env.ANOMALY_PRICE_WINDOW,
          minHistory: env.ANOMALY_PRICE_MIN_HISTORY,
          tickSize: env.ANOMALY_TICK_SIZE,
        },
        volumeSpike: {
          ...DEFAULT_ANOMALY_CONFIG.volumeSpike,
          zThreshold: env.ANOMALY_VOLUME_Z,
          windowSize: env.ANOMALY_VOLUME_WINDOW,
          minHistory: env.ANOMALY_VOLUME_MIN_HISTORY,
        },
        spreadBlowout: {
          ...DEFAULT_ANOMALY_CONFIG.spreadBlowout,
          zThreshold: env.ANOMALY_SPREAD_Z,
          windowSize: env.ANOMALY_SPREAD_WINDOW,
          minHistory: env.ANOMALY_SPREAD_MIN_HISTORY,
          minRatioToMedian: env.ANOMALY_SPREAD_MIN_RATIO,
        },
        episodeEndAfterNormal: env.ANOMALY_EPISODE_END_AFTER,
      },
      maxSymbols: env.ANOMALY_MAX_SYMBOLS,
    },
    api: { sharedReadTtlMs: env.API_SHARED_READ_TTL_MS, trpcMaxBatchSize: env.TRPC_MAX_BATCH_SIZE },
    metrics: { port: env.METRICS_PORT, snapshotIntervalMs: env.METRICS_SNAPSHOT_INTERVAL_MS },
    ingest: {
      // Production never falls back to the published dev key. It does not fail without keys either:
      // `next build` and `npm start` run the web app with NODE_ENV=production, and workers that
      // never serve ingest share this config; so ingest fails closed (401 to every request).
      apiKeys: env.INGEST_API_KEYS ?? (env.NODE_ENV === "production" ? [] : [DEV_INGEST_API_KEY]),
      maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
      maxTicks: env.INGEST_MAX_TICKS,
    },
    // Like ingest, production never falls back to the published dev token, and does not fail at
    // start without one (`npm start` runs `next start` in production): see AdminSettings.token.
    admin: {
      token: env.ADMIN_TOKEN ?? (env.NODE_ENV === "production" ? undefined : DEV_ADMIN_TOKEN),
      loginFreeAttempts: env.ADMIN_LOGIN_FREE_ATTEMPTS,
      loginFirstLockoutMs: env.ADMIN_LOGIN_LOCKOUT_MS,
    },
  };
}

let cached: AppConfig | undefined;

/** The process-wide config, parsed on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}
