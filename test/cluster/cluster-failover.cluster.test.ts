// The product on the local cluster (3 Kafka brokers, 3 Cassandra nodes; topics at replication 3
// with 2 in sync, the keyspace at 3, LOCAL_QUORUM): a real trade file (IBM, 2013-10-07) goes in
// through the ingest API of two web processes, two stream workers fold it, and SSE clients of both
// web processes listen. Mid-replay the leader broker of IBM's partition and one Cassandra node are
// killed with SIGKILL, then brought back. Candles must equal the independent reference (so no
// acknowledged ingest request is lost, and none counts twice), and the SSE clients of both web
// processes must see every final candle. Prints the recovery times docs/operations.md quotes.
import { randomUUID } from "node:crypto";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CassandraClient } from "../../adapters/cassandra";
import { createCassandraStore, type CassandraStore } from "../../adapters/cassandra-store";
import { applicationTopics, createKafka, ensureTopics, topicNames } from "../../adapters/kafka";
import type { CandleUpdate } from "../../core/live-updates";
import type { Trade } from "../../core/schemas";
import { migrate } from "../../db/migrations";
import { describeSource, mergedTicks } from "../../workers/feeds/replay-files";
import {
  compareCandles,
  IBM_DAY_UTC_MS,
  IBM_TRADES,
  IBM_UTC_OFFSET_HOURS,
  referenceCandles,
  storedIbmCandles,
} from "../../workers/stream/pipeline-fixture";
import { connectTestCassandra, eventually, testLog, uniqueName } from "../helpers";
import { EventSseClient } from "../sse-fleet";
import {
  ensureWebBuild,
  freePort,
  killServer,
  restartMissingServers,
  startApp,
  startStack,
  waitForLine,
  type AppProcess,
  type StackRun,
} from "./stack-fixture";

const PARTITIONS = 6;
const CHUNK_TRADES = 250;
/** One ingest request every this often: the replay spans the kills and the restart. */
const PACE_MS = 600;

type Timed = { atMs: number; value: number };

describe("the product on the local 3-broker, 3-node cluster", () => {
  let stack: StackRun;
  let client: CassandraClient;
  let store: CassandraStore;
  let admin: Admin;
  let probeAdmin: Admin;
  const apps: AppProcess[] = [];
  const sse: EventSseClient[] = [];
  const keyspace = uniqueName("test_cluster");
  const prefix = `${uniqueName("tcl")}.`;
  const topics = topicNames(prefix);
  const groupId = uniqueName("test-cluster-stream");
  const apiKey = `cluster-test-${randomUUID()}`;
  const webPorts: number[] = [];
  /** Final 1m candles each web process's SSE client saw, by window start. */
  const finals = [new Map<number, CandleUpdate>(), new Map<number, CandleUpdate>()];

  beforeAll(async () => {
    stack = await startStack("cluster");
    const { config } = stack;
    ensureWebBuild();
    const connect = (ks?: string) => connectTestCassandra(ks, config);
    await migrate(connect, keyspace, config.cassandra.replication);
    client = await connect();
    store = createCassandraStore(client, keyspace);
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: "cluster-test", log: testLog, security: config.kafka.security });
    admin = kafka.admin();
    probeAdmin = kafka.admin();
    await admin.connect();
    await probeAdmin.connect();
    await ensureTopics(admin, applicationTopics(PARTITIONS, config.kafka.replicationFactor, topics, config.kafka.minInsyncReplicas));

    const redisUrl = new URL(config.redis.url);
    // Its own Redis database: the live stream of this test only.
    redisUrl.pathname = "/12";
    const env = {
      ...stack.env,
      NODE_ENV: "production" as const,
      LOG_LEVEL: "info",
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      CASSANDRA_KEYSPACE: keyspace,
      REDIS_URL: redisUrl.toString(),
      STREAM_GROUP_ID: groupId,
      STREAM_IDLE_CLOSE_MS: "1500",
      INGEST_API_KEYS: apiKey,
      ADMIN_TOKEN: `admin-${randomUUID()}`,
      METRICS_SNAPSHOT_INTERVAL_MS: "60000",
    };
    for (const name of ["web-a", "web-b"]) {
      const port = await freePort();
      webPorts.push(port);
      apps.push(startApp(name, "infra/web-server.ts", ["--port", String(port), "--hostname", "127.0.0.1"], env));
    }
    for (const name of ["stream-a", "stream-b"]) apps.push(startApp(name, "workers/stream/main.ts", [], env));
    await Promise.all(apps.map((app) => waitForLine(app, app.name.startsWith("web") ? "web server ready" : "stream worker running")));
    await eventually(
      async () => (await admin.describeGroups([groupId])).groups[0]?.members.length === 2,
      "both stream workers in the group",
      60_000,
    );
    webPorts.forEach((port, i) => {
      sse.push(
        new EventSseClient({ host: "127.0.0.1", port, path: "/api/stream?symbols=IBM&types=candle&intervals=1m" }, (event) => {
          if (event.event !== "candle") return;
          const update = JSON.parse(event.data) as CandleUpdate;
          if (update.isFinal) finals[i]?.set(update.windowStart, update);
        }),
      );
    });
    await eventually(() => sse.every((c) => c.status === 200), "both SSE clients connected", 30_000);
  }, 900_000);

  afterAll(async () => {
    for (const c of sse) c.close();
    await Promise.all(apps.map((app) => app.stop()));
    await admin
      ?.deleteTopics({ topics: Object.values(topics) })
      .catch((error: unknown) => testLog.warn({ err: error }, "deleting test topics"));
    await admin?.disconnect();
    await probeAdmin?.disconnect();
    await client
      ?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`)
      .catch((error: unknown) => testLog.warn({ err: error }, "dropping test keyspace"));
    await client?.shutdown();
    await stack?.stop();
  }, 300_000);

  /** Sum of the group's committed offsets on the trades topic. */
  async function committed(): Promise<number> {
    const [offsets] = await probeAdmin.fetchOffsets({ groupId, topics: [topics.trades] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  it("keeps every acknowledged trade and exact candles through kill -9 of a broker and a node, and both web processes stream every final candle", async () => {
    const { config } = stack;
    const trades: Trade[] = [...mergedTicks([describeSource(IBM_TRADES)])].flatMap((t) => (t.kind === "trades" ? [t.tick] : []));
    const ref1m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
    const ref5m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 300_000);
    const chunks = Array.from({ length: Math.ceil(trades.length / CHUNK_TRADES) }, (_, i) =>
      trades.slice(i * CHUNK_TRADES, (i + 1) * CHUNK_TRADES),
    );

    // The group's committed offsets over time (from another connection than the test's admin).
    const progress: Timed[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const value = await committed().catch(() => undefined);
        if (value !== undefined) progress.push({ atMs: Date.now(), value });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    const acks: { sentMs: number; atMs: number }[] = [];
    const refusals: { atMs: number; status: string }[] = [];
    let ibmPartition: number | undefined;
    let killedBroker = "";
    const events: Record<string, number> = {};
    let restart: Promise<number> | undefined;
    let inSync: Promise<void> | undefined;
    // When this process's own client saw the killed node go and come back (the workers' clients log the same).
    client.on("hostDown", (host: { address: string }) => {
      if (host.address.startsWith("127.0.0.4")) events.nodeDownSeenMs ??= Date.now();
    });
    client.on("hostUp", (host: { address: string }) => {
      if (host.address.startsWith("127.0.0.4") && events.restartMs !== undefined) events.nodeUpSeenMs ??= Date.now();
    });
    const allInSync = async () => {
      const metadata = await probeAdmin.fetchTopicMetadata({ topics: [topics.trades, topics.quotes] });
      return metadata.topics.every((t) => t.partitions.every((p) => p.isr.length === 3));
    };

    for (const [i, chunk] of chunks.entries()) {
      if (i === Math.floor(chunks.length * 0.2)) {
        // The broker leading IBM's trades partition: its clients must fail over to a new leader.
        const metadata = await admin.fetchTopicMetadata({ topics: [topics.trades] });
        const leader = metadata.topics[0]?.partitions.find((p) => p.partitionId === ibmPartition)?.leader;
        killedBroker = `kafka-${leader}`;
        await killServer(config, "kafka", killedBroker);
        events.brokerKilledMs = Date.now();
      }
      if (i === Math.floor(chunks.length * 0.4)) {
        await killServer(config, "cassandra", "cassandra-3");
        events.nodeKilledMs = Date.now();
      }
      if (i === Math.floor(chunks.length * 0.6)) {
        events.restartMs = Date.now();
        restart = restartMissingServers(config);
        // Every partition of the test's topics on all three brokers again.
        inSync = eventually(allInSync, "the restarted broker back in every ISR", 240_000).then(() => {
          events.inSyncMs = Date.now();
        });
      }
      const startedMs = Date.now();
      // Until acknowledged: a refused or failed request may be sent again as it is (same trade ids).
      for (let attempt = 0; ; attempt++) {
        const port = webPorts[(i + attempt) % webPorts.length];
        const sentMs = Date.now();
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/ingest/trades`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": apiKey },
          body: JSON.stringify(chunk),
          signal: AbortSignal.timeout(30_000),
        }).catch((error: unknown) => error as Error);
        if (!(response instanceof Error) && response.status === 202) {
          const body = (await response.json()) as { accepted: number; partitions: number[] };
          expect(body.accepted).toBe(chunk.length);
          ibmPartition ??= body.partitions[0];
          acks.push({ sentMs, atMs: Date.now() });
          break;
        }
        const status = response instanceof Error ? response.message : String(response.status);
        if (!(response instanceof Error)) {
          const text = await response.text();
          // Only unavailability is retried; bad input would be the test's bug.
          expect(response.status, text).toBeGreaterThanOrEqual(500);
        }
        refusals.push({ atMs: Date.now(), status });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, PACE_MS - (Date.now() - startedMs))));
    }
    events.replayDoneMs = Date.now();
    const restartTookMs = await (restart ?? Promise.resolve(0));
    await inSync;
    await eventually(() => events.nodeUpSeenMs !== undefined, "the test's Cassandra client to see the restarted node up", 60_000);

    const ends = await admin.fetchTopicOffsets(topics.trades);
    const endTotal = ends.reduce((sum, p) => sum + Number(p.high), 0);
    // A send that failed after the broker wrote it is sent again: the topic may hold repeats.
    expect(endTotal).toBeGreaterThanOrEqual(trades.length);
    await eventually(async () => (await committed()) >= endTotal, "every trade on the topic committed", 300_000);
    await eventually(
      async () => {
        const stored = await storedIbmCandles(store, "1m");
        return stored.length === ref1m.size && stored.every((c) => c.isFinal);
      },
      "every 1m candle final",
      120_000,
    );
    sampling = false;
    await sampler;

    expect(acks).toHaveLength(chunks.length);
    expect(compareCandles(await storedIbmCandles(store, "1m"), ref1m)).toEqual([]);
    expect(compareCandles(await storedIbmCandles(store, "5m"), ref5m)).toEqual([]);
    const totalVolume = [...ref1m.values()].reduce((v, c) => v + c.volume, 0);
    expect((await store.getLatest(["IBM"]))[0]?.dayVolume).toBe(totalVolume);

    // Both web processes read the same live stream: each client sees every final candle, as stored.
    for (const [i, seen] of finals.entries()) {
      await eventually(
        () => seen.size >= ref1m.size,
        `SSE client of web process ${i + 1} to see every final 1m candle (${seen.size}/${ref1m.size})`,
        60_000,
      );
      for (const [start, ref] of ref1m) {
        const update = seen.get(start);
        expect(update, `final candle ${new Date(start).toISOString()} on web process ${i + 1}`).toBeDefined();
        expect([update?.open, update?.high, update?.low, update?.close, update?.volume, update?.tradeCount]).toEqual([
          ref.open,
          ref.high,
          ref.low,
          ref.close,
          ref.volume,
          ref.count,
        ]);
      }
    }

    // Recovery figures.
    const firstAckAfter = (t: number) => acks.find((a) => a.sentMs >= t)?.atMs;
    const committedAt = (t: number) => [...progress].reverse().find((p) => p.atMs <= t)?.value ?? 0;
    const advancedAfter = (t: number) => progress.find((p) => p.atMs > t && p.value > committedAt(t))?.atMs;
    const seconds = (from: number | undefined, to: number | undefined) =>
      from === undefined || to === undefined ? "n/a" : ((to - from) / 1000).toFixed(1);
    const refusedBetween = (from: number, to: number) => refusals.filter((r) => r.atMs >= from && r.atMs < to);
    const hostEvents = apps
      .filter((app) => app.name.startsWith("stream"))
      .flatMap((app) => app.lines.filter((line) => line.includes('"cassandra.host_')).map((line) => `${app.name}: ${line.slice(0, 300)}`));
    const figures = {
      trades: trades.length,
      requests: chunks.length,
      killedBroker,
      brokerKill: {
        ingestBackAfterS: seconds(events.brokerKilledMs, firstAckAfter(events.brokerKilledMs ?? 0)),
        refusedRequests: refusedBetween(events.brokerKilledMs ?? 0, events.nodeKilledMs ?? 0).map((r) => r.status),
        commitsAdvanceAfterS: seconds(events.brokerKilledMs, advancedAfter(events.brokerKilledMs ?? 0)),
      },
      nodeKill: {
        ingestBackAfterS: seconds(events.nodeKilledMs, firstAckAfter(events.nodeKilledMs ?? 0)),
        refusedRequests: refusedBetween(events.nodeKilledMs ?? 0, events.restartMs ?? 0).map((r) => r.status),
        commitsAdvanceAfterS: seconds(events.nodeKilledMs, advancedAfter(events.nodeKilledMs ?? 0)),
      },
      restart: {
        bothReadyAfterS: (restartTookMs / 1000).toFixed(1),
        brokerInEveryIsrAfterS: seconds(events.restartMs, events.inSyncMs),
        nodeDownSeenAfterKillS: seconds(events.nodeKilledMs, events.nodeDownSeenMs),
        nodeUpSeenAfterRestartS: seconds(events.restartMs, events.nodeUpSeenMs),
        workerHostEvents: hostEvents,
      },
      replaySeconds: seconds(acks[0]?.sentMs, events.replayDoneMs),
      allCommittedAfterReplayS: seconds(events.replayDoneMs, progress.at(-1)?.atMs),
      duplicatesOnTopic: endTotal - trades.length,
    };
    console.info(`cluster failover: ${JSON.stringify(figures, null, 2)}`);
  }, 1_200_000);
});
