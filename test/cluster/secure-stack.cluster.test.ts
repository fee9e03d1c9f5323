// The secure local cluster (LOCAL_STACK=cluster-secure): Kafka takes only SASL/SCRAM-SHA-512 over
// TLS, Cassandra only its app role over TLS (the default superuser is gone), Redis only its ACL
// user. A client without the stack's credentials is refused by each; with them, the product works
// end to end: a feed replay and the ingest API in, a stream worker, a batch worker, candles over
// REST and SSE, every process with the credentials of the generated secrets.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCassandra, type CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CassandraStore } from "../../adapters/cassandra-store";
import { readLocalSecrets, type CassandraSecurity, type KafkaSecurity } from "../../adapters/config";
import { applicationTopics, createKafka, ensureTopics, topicNames } from "../../adapters/kafka";
import { createRedis } from "../../adapters/redis";
import type { CandleUpdate } from "../../core/live-updates";
import { migrate } from "../../db/migrations";
import { describeSource, mergedTicks } from "../../workers/feeds/replay-files";
import {
  compareCandles,
  IBM_DAY_UTC_MS,
  IBM_TRADES,
  IBM_UTC_OFFSET_HOURS,
  leanTicksUntil,
  referenceCandles,
  storedIbmCandles,
} from "../../workers/stream/pipeline-fixture";
import { connectTestCassandra, eventually, testLog, uniqueName } from "../helpers";
import { EventSseClient } from "../sse-fleet";
import { ensureWebBuild, freePort, startApp, startStack, waitForLine, type AppProcess, type StackRun } from "./stack-fixture";

describe("the secure local cluster", () => {
  let stack: StackRun;

  beforeAll(async () => {
    stack = await startStack("cluster-secure");
  }, 900_000);

  afterAll(async () => {
    await stack?.stop();
  }, 300_000);

  /** Connects a Kafka admin with `security` and asks for the cluster's brokers. */
  async function kafkaAnswers(security: KafkaSecurity): Promise<number> {
    const admin = createKafka({
      brokers: stack.config.kafka.brokers,
      clientId: "secure-test",
      log: testLog,
      retries: 0,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 5_000,
      security,
    }).admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers.length;
    } finally {
      await admin.disconnect();
    }
  }

  /** Connects a Cassandra client with `security` and reads the node's version. */
  async function cassandraAnswers(security: CassandraSecurity): Promise<string> {
    const client = await connectCassandra({
      contactPoints: stack.config.cassandra.contactPoints,
      localDataCenter: stack.config.cassandra.localDataCenter,
      log: testLog,
      security,
    });
    try {
      return String((await client.execute("SELECT release_version FROM system.local")).first()?.get("release_version"));
    } finally {
      await client.shutdown();
    }
  }

  it("refuses Kafka clients without SASL, with a wrong password or without TLS, and answers the stack's user", async () => {
    const { tls, sasl } = stack.config.kafka.security;
    expect(tls?.caFile).toBeDefined();
    expect(sasl).toMatchObject({ mechanism: "scram-sha-512", username: "tickstream" });
    if (sasl === undefined) return;
    await expect(kafkaAnswers({ tls, sasl: undefined })).rejects.toThrow();
    await expect(kafkaAnswers({ tls, sasl: { ...sasl, password: `${sasl.password}x` } })).rejects.toThrow(
      /SASL SCRAM SHA512 authentication failed/i,
    );
    await expect(kafkaAnswers({ tls, sasl: { ...sasl, username: "broker-impostor" } })).rejects.toThrow(/authentication failed/i);
    await expect(kafkaAnswers({ tls: undefined, sasl })).rejects.toThrow();
    // An untrusted server certificate is refused by the client too (Node's default CAs do not know the stack's).
    await expect(kafkaAnswers({ tls: { caFile: undefined }, sasl })).rejects.toThrow();
    expect(await kafkaAnswers({ tls, sasl })).toBe(3);
  });

  it("refuses Cassandra clients without credentials, as the default superuser or without TLS, and answers the stack's role", async () => {
    const { tls, credentials } = stack.config.cassandra.security;
    expect(credentials?.username).toBe("tickstream");
    await expect(cassandraAnswers({ tls, credentials: undefined })).rejects.toThrow(/requires authentication/i);
    await expect(cassandraAnswers({ tls, credentials: { username: "cassandra", password: "cassandra" } })).rejects.toThrow(
      /Provided username cassandra and\/or password are incorrect/,
    );
    await expect(
      cassandraAnswers({ tls, credentials: { username: credentials?.username ?? "", password: "wrong-password" } }),
    ).rejects.toThrow(/password are incorrect/);
    await expect(cassandraAnswers({ tls: undefined, credentials })).rejects.toThrow();
    expect(await cassandraAnswers({ tls, credentials })).toMatch(/^5\.0\./);
    // Logins do not depend on one node: the roles are on every node.
    const client = await connectCassandra({
      contactPoints: stack.config.cassandra.contactPoints,
      localDataCenter: stack.config.cassandra.localDataCenter,
      log: testLog,
      security: stack.config.cassandra.security,
    });
    try {
      const keyspace = await client.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'");
      expect(keyspace.first()?.get("replication")).toMatchObject({ datacenter1: "3" });
    } finally {
      await client.shutdown();
    }
  });

  it("refuses Redis connections without the ACL user's password", async () => {
    const url = new URL(stack.config.redis.url);
    expect(url.username).toBe("tickstream");
    const anonymous = new URL(url);
    anonymous.username = "";
    anonymous.password = "";
    const wrong = new URL(url);
    wrong.password = "wrong-password";
    for (const [what, target, refusal] of [
      ["no user", anonymous, /NOAUTH/],
      ["a wrong password", wrong, /WRONGPASS/],
    ] as const) {
      const redis = createRedis(target.toString(), "client", testLog);
      try {
        await expect(redis.ping(), what).rejects.toThrow(refusal);
      } finally {
        redis.disconnect();
      }
    }
    const redis = createRedis(url.toString(), "client", testLog);
    try {
      expect(await redis.ping()).toBe("PONG");
    } finally {
      redis.disconnect();
    }
  });

  describe("with the stack's credentials", () => {
    let client: CassandraClient;
    let store: CassandraStore;
    let admin: Admin;
    const apps: AppProcess[] = [];
    let sse: EventSseClient | undefined;
    let tmp: string;
    const keyspace = uniqueName("test_secure");
    const prefix = `${uniqueName("tsec")}.`;
    const topics = topicNames(prefix);
    const groupId = uniqueName("test-secure-stream");
    const apiKey = `secure-test-${randomUUID()}`;
    const finals = new Map<number, CandleUpdate>();
    let webPort = 0;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      const { config } = stack;
      ensureWebBuild();
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "secure-test-"));
      const connect = (ks?: string) => connectTestCassandra(ks, config);
      await migrate(connect, keyspace, config.cassandra.replication);
      client = await connect();
      store = createCassandraStore(client, keyspace);
      admin = createKafka({
        brokers: config.kafka.brokers,
        clientId: "secure-test",
        log: testLog,
        security: config.kafka.security,
      }).admin();
      await admin.connect();
      await ensureTopics(admin, applicationTopics(3, config.kafka.replicationFactor, topics, config.kafka.minInsyncReplicas));
      const redisUrl = new URL(config.redis.url);
      redisUrl.pathname = "/11";
      // Only the stack is named: every credential comes from its generated secrets (REDIS_URL keeps the user of the stack's).
      env = {
        ...stack.env,
        NODE_ENV: "production" as const,
        LOG_LEVEL: "info",
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_TOPIC_PARTITIONS: "3",
        CASSANDRA_KEYSPACE: keyspace,
        REDIS_URL: redisUrl.toString(),
        STREAM_GROUP_ID: groupId,
        STREAM_IDLE_CLOSE_MS: "1500",
        INGEST_API_KEYS: apiKey,
        ADMIN_TOKEN: `admin-${randomUUID()}`,
        BATCH_QUEUE_PREFIX: uniqueName("tsecq"),
        METRICS_SNAPSHOT_INTERVAL_MS: "60000",
      };
      webPort = await freePort();
      apps.push(startApp("web", "infra/web-server.ts", ["--port", String(webPort), "--hostname", "127.0.0.1"], env));
      apps.push(startApp("stream", "workers/stream/main.ts", [], env));
      apps.push(startApp("batch", "workers/batch/main.ts", [], env));
      await Promise.all([
        waitForLine(apps[0] as AppProcess, "web server ready"),
        waitForLine(apps[1] as AppProcess, "stream worker running"),
        waitForLine(apps[2] as AppProcess, "batch worker running"),
      ]);
      sse = new EventSseClient({ host: "127.0.0.1", port: webPort, path: "/api/stream?symbols=IBM&types=candle&intervals=1m" }, (event) => {
        if (event.event !== "candle") return;
        const update = JSON.parse(event.data) as CandleUpdate;
        if (update.isFinal) finals.set(update.windowStart, update);
      });
      await eventually(() => sse?.status === 200, "the SSE client connected", 30_000);
    }, 600_000);

    afterAll(async () => {
      sse?.close();
      await Promise.all(apps.map((app) => app.stop()));
      await admin
        ?.deleteTopics({ topics: Object.values(topics) })
        .catch((error: unknown) => testLog.warn({ err: error }, "deleting test topics"));
      await admin?.disconnect();
      await client
        ?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`)
        .catch((error: unknown) => testLog.warn({ err: error }, "dropping test keyspace"));
      await client?.shutdown();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }, 120_000);

    it("replays the morning with feed:replay and ingests the afternoon through the API into exact candles, served over REST and SSE", async () => {
      expect(readLocalSecrets(stack.config.localStack).kafka.username).toBe("tickstream");
      const ref1m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
      // The morning (to 12:00 New York) as a file of its own: its rows keep their line numbers, hence their trade ids.
      const noonMs = 12 * 3_600_000;
      const morning = leanTicksUntil(IBM_TRADES, noonMs, tmp);
      const replay = startApp("replay", "workers/feeds/replay.ts", ["--no-resume", morning.file], env);
      apps.push(replay);
      expect(await replay.exited, replay.lines.slice(-20).join("\n")).toBe(0);

      const noonUtcMs = IBM_DAY_UTC_MS + noonMs - IBM_UTC_OFFSET_HOURS * 3_600_000;
      const afternoon = [...mergedTicks([describeSource(IBM_TRADES)])].flatMap((t) =>
        t.kind === "trades" && t.tick.ts > noonUtcMs ? [t.tick] : [],
      );
      expect(afternoon.length).toBeGreaterThan(1_000);
      for (let i = 0; i < afternoon.length; i += 1_000) {
        const chunk = afternoon.slice(i, i + 1_000);
        const response = await fetch(`http://127.0.0.1:${webPort}/api/v1/ingest/trades`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": apiKey },
          body: JSON.stringify(chunk),
        });
        expect(response.status, await response.clone().text()).toBe(202);
      }

      await eventually(
        async () => {
          const stored = await storedIbmCandles(store, "1m");
          return stored.length === ref1m.size && stored.every((c) => c.isFinal);
        },
        "every 1m candle final",
        180_000,
      );
      expect(compareCandles(await storedIbmCandles(store, "1m"), ref1m)).toEqual([]);

      // The web process reads them back through its own authenticated client.
      const from = IBM_DAY_UTC_MS;
      const to = IBM_DAY_UTC_MS + 86_400_000 - 1;
      const rest = await fetch(`http://127.0.0.1:${webPort}/api/v1/symbols/IBM/candles?interval=1m&from=${from}&to=${to}&limit=1000`);
      expect(rest.status).toBe(200);
      const page = (await rest.json()) as { candles: { windowStart: number; close: number }[] };
      expect(page.candles).toHaveLength(ref1m.size);
      for (const candle of page.candles) expect(candle.close).toBe(ref1m.get(candle.windowStart)?.close);

      await eventually(
        () => finals.size >= ref1m.size,
        `the SSE client to see every final 1m candle (${finals.size}/${ref1m.size})`,
        60_000,
      );
      for (const [start, ref] of ref1m) expect(finals.get(start)?.close).toBe(ref.close);
    });
  });
});
