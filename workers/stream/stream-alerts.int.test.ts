import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "../../adapters/config";
import { connectProducer } from "../../adapters/kafka";
import { publishLiveUpdates } from "../../adapters/live-channel";
import { createRedis } from "../../adapters/redis";
import { dayKey } from "../../core/intervals";
import type { AlertUpdate } from "../../core/live-updates";
// eslint-disable-next-line no-restricted-imports -- end to end: the worker's alert through the SSE route's handler and hub
import { openLiveStream } from "../../server/live/open-live-stream";
// eslint-disable-next-line no-restricted-imports -- end to end: the web process's real SSE hub, on this test's stream key
import type { SseHub } from "../../server/live/sse-hub";
import { eventually, testLog, uniqueName } from "../../test/helpers";
import { createTestSseHub, SseTestClient } from "../../test/sse-client";
import { createFixture, type Fixture } from "./pipeline-fixture";
import { startStreamWorker, type StreamWorker } from "./start-stream-worker";

const config = getConfig();

describe("anomaly alerts from Kafka through the stream worker to Cassandra and an SSE client", () => {
  let fx: Fixture;
  let producer: Producer;
  let hub: SseHub;
  const workers: StreamWorker[] = [];
  let client: SseTestClient | undefined;
  const redis = createRedis(config.redis.url, "client", testLog);
  const streamKey = uniqueName("test_alerts");

  beforeAll(async () => {
    fx = await createFixture(2);
    producer = await connectProducer(fx.kafka);
    hub = createTestSseHub(streamKey);
  });

  afterAll(async () => {
    await client?.cancel().catch(() => undefined);
    await hub?.close();
    for (const w of workers) await w.stop();
    await redis.del(streamKey);
    await redis.quit();
    await producer?.disconnect();
    await fx?.close();
  });

  it("raises exactly one alert for a price jump in a quiet series, stores it once, and a replay after a crash adds none", async () => {
    const symbol = `A${uniqueName("x").slice(2, 9).toUpperCase()}`;
    // A second symbol with quotes only and one spread blow-out: quotes are not de-duplicated by the
    // candle windows as trades are, so their replay is what the scored-through point must silence.
    const quoted = `B${symbol.slice(1)}`;
    const settings = fx.settings();
    const start = async () => {
      const w = await startStreamWorker({
        kafka: fx.kafka,
        producer,
        store: fx.store,
        topics: fx.topics,
        settings,
        anomaly: config.anomaly,
        log: testLog,
        publishLive: (updates) => publishLiveUpdates(redis, updates, { key: streamKey, maxLen: 10_000 }),
      });
      workers.push(w);
      return w;
    };
    const response = openLiveStream(new Request(`http://test/api/stream?symbols=${symbol},${quoted}&types=alert,price`), hub);
    expect(response.status).toBe(200);
    client = new SseTestClient(response.body!);
    await client.waitFor((c) => c.events.some((e) => e.event === "ready"), "ready");
    const sse = client;
    const alertsSeen = () => sse.updates.filter((e) => e.event === "alert").map((e) => JSON.parse(e.data) as AlertUpdate);

    // 140 trades a second apart alternating by one cent around 100 (returns of ±1 bp), a jump to 103
    // at #100 (after the default 50-return warm-up), then quiet again around 103; a constant 2-cent
    // NBBO every 2 s, so the spread detector sees no blow-out either.
    const t0 = Date.UTC(2024, 0, 3, 15, 0);
    const jumpAt = 100;
    const trades = Array.from({ length: 140 }, (_, i) => ({
      symbol,
      ts: t0 + i * 1_000,
      price: (i < jumpAt ? 100 : 103) + (i % 2) * 0.01,
      size: 100,
      tradeId: String(i),
    }));
    const quotes = Array.from({ length: 70 }, (_, i) => {
      const base = i * 2 < jumpAt ? 100 : 103;
      return { symbol, ts: t0 + i * 2_000, venue: "N", bid: base, bidSize: 100, ask: base + 0.02, askSize: 100 };
    });
    const blowoutAt = 70;
    const blowout = Array.from({ length: 100 }, (_, i) =>
      i === blowoutAt
        ? { symbol: quoted, ts: t0 + i * 1_000, venue: "N", bid: 49.75, bidSize: 100, ask: 50.25, askSize: 100 }
        : { symbol: quoted, ts: t0 + i * 1_000, venue: "N", bid: 50, bidSize: 100, ask: 50.02, askSize: 100 },
    );
    const messages = trades.length + quotes.length + blowout.length;

    /** Waits until `w` has folded every message and its live updates reached the SSE client. */
    const settle = async (w: StreamWorker, what: string) => {
      await eventually(() => w.processor.stats().messages >= messages, `${what}: every message folded`, 60_000);
      expect(await w.live?.flush(10_000)).toBe(true);
      // The stream is ordered: once this marker reaches the client, everything the worker published before it has too.
      const marker = { type: "price" as const, symbol, ts: t0, last: 1 + workers.length };
      await publishLiveUpdates(redis, [marker], { key: streamKey, maxLen: 10_000 });
      await sse.waitFor(
        (c) => c.updates.some((e) => e.event === "price" && (JSON.parse(e.data) as { last: number }).last === marker.last),
        `${what}: the marker`,
        30_000,
      );
    };

    const first = await start();
    await producer.send({ topic: fx.topics.quotes, messages: quotes.map((q) => ({ key: symbol, value: JSON.stringify(q) })) });
    await producer.send({ topic: fx.topics.quotes, messages: blowout.map((q) => ({ key: quoted, value: JSON.stringify(q) })) });
    for (let from = 0; from < trades.length; from += 35) {
      await producer.send({
        topic: fx.topics.trades,
        messages: trades.slice(from, from + 35).map((t) => ({ key: symbol, value: JSON.stringify(t) })),
      });
      await eventually(() => first.processor.stats().trades >= from + 35, `trades up to #${from + 35} to be folded`, 60_000);
    }
    await sse.waitFor((c) => c.updates.filter((e) => e.event === "alert").length >= 2, "the two alerts", 60_000);
    await settle(first, "first run");

    const jumpTs = t0 + jumpAt * 1_000;
    const alertId = `${symbol}:price_jump:${jumpTs}`;
    const spreadId = `${quoted}:spread_blowout:${t0 + blowoutAt * 1_000}`;
    expect(alertsSeen().filter((a) => a.symbol === quoted)).toEqual([expect.objectContaining({ id: spreadId, kind: "spread_blowout" })]);
    const seen = alertsSeen().filter((a) => a.symbol === symbol);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: "alert", id: alertId, symbol, ts: jumpTs, kind: "price_jump", severity: "critical" });
    expect(seen[0]?.message).toContain("price jump +2.");
    const storedRows = async () => {
      const result = await fx.client.execute(
        `SELECT alert_id, symbol, kind, ts, severity, details FROM ${fx.keyspace}.alerts WHERE day = ?`,
        [dayKey(jumpTs)],
        { prepare: true },
      );
      return result.rows
        .map((r) => ({
          id: String(r.get("alert_id")),
          symbol: String(r.get("symbol")),
          kind: String(r.get("kind")),
          ts: (r.get("ts") as Date).getTime(),
          severity: Number(r.get("severity")),
          details: String(r.get("details")),
        }))
        .filter((r) => r.symbol === symbol || r.symbol === quoted);
    };
    const rows = await storedRows();
    expect(rows.map((r) => [r.id, r.kind, r.ts])).toEqual([
      [alertId, "price_jump", jumpTs],
      [spreadId, "spread_blowout", t0 + blowoutAt * 1_000],
    ]);
    const score = seen[0]?.score;
    expect(rows[0]?.severity).toBe(score);
    expect(JSON.parse(rows[0]?.details ?? "{}")).toMatchObject({ episodeStartTs: jumpTs, inputs: { fromPrice: 100.01, toPrice: 103 } });

    // A crash before any offset commit: every write is stored, the group starts over from offset 0.
    await first.stop();
    const admin = fx.kafka.admin();
    await admin.connect();
    try {
      for (const topic of [fx.topics.trades, fx.topics.quotes, fx.topics.prices])
        await admin.resetOffsets({ groupId: settings.groupId, topic, earliest: true });
    } finally {
      await admin.disconnect();
    }
    const second = await start();
    await settle(second, "replay");
    expect(
      alertsSeen()
        .map((a) => a.id)
        .sort(),
    ).toEqual([alertId, spreadId].sort());
    expect((await storedRows()).map((r) => r.id)).toEqual([alertId, spreadId]);
    console.info(
      `alerts: ${trades.length} trades + ${quotes.length} quotes + ${blowout.length} quotes of ${quoted} → 1 price alert (${alertId}, z ${score?.toFixed(1)}); replay from offset 0 → 0 new alerts`,
    );
  });
});
