import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "../../adapters/config";
import { connectProducer } from "../../adapters/kafka";
import { publishLiveUpdates } from "../../adapters/live-channel";
import { MetricsRegistry } from "../../adapters/metrics";
import { createRedis } from "../../adapters/redis";
import {
  compareEventIds,
  toCandleUpdate,
  toSubscription,
  type CandleUpdate,
  type PriceUpdate,
  type SpreadUpdate,
} from "../../core/live-updates";
// eslint-disable-next-line no-restricted-imports -- end to end: the worker's updates through the web process's real SSE hub
import type { SseHub } from "../../server/live/sse-hub";
import { eventually, testLog, uniqueName } from "../../test/helpers";
import { createTestSseHub, SseTestClient } from "../../test/sse-client";
import { createFixture, type Fixture } from "./pipeline-fixture";
import { startStreamWorker, type StreamWorker } from "./start-stream-worker";

const config = getConfig();

describe("live updates from Kafka through the stream worker and Redis to an SSE client", () => {
  let fx: Fixture;
  let producer: Producer;
  let worker: StreamWorker | undefined;
  let hub: SseHub;
  let client: SseTestClient | undefined;
  const redis = createRedis(config.redis.url, "client", testLog);
  const streamKey = uniqueName("test_live");
  const metrics = new MetricsRegistry(testLog);

  beforeAll(async () => {
    fx = await createFixture(2);
    producer = await connectProducer(fx.kafka);
    hub = createTestSseHub(streamKey);
  });

  afterAll(async () => {
    await client?.cancel().catch(() => undefined);
    await hub?.close();
    await worker?.stop();
    await redis.del(streamKey);
    await redis.quit();
    await producer?.disconnect();
    await fx?.close();
  });

  it("delivers a symbol's candle, price and spread updates in id order, each final candle equal to the stored one", async () => {
    const symbol = `L${uniqueName("x").slice(2, 9).toUpperCase()}`;
    client = new SseTestClient(hub.connect(toSubscription({ symbols: [symbol], intervals: ["1m"] })));
    await client.waitFor((c) => c.events.some((e) => e.event === "ready"), "ready");
    worker = await startStreamWorker({
      kafka: fx.kafka,
      producer,
      store: fx.store,
      topics: fx.topics,
      settings: fx.settings(),
      log: testLog,
      publishLive: (updates) => publishLiveUpdates(redis, updates, { key: streamKey, maxLen: 10_000 }),
      metrics,
    });
    const w = worker;

    // 25 traded minutes (enough for sma20/ema20), 4 trades each, every trade inside a quote.
    const minutes = 25;
    const t0 = Date.UTC(2024, 0, 2, 14, 30);
    const mid = (m: number) => Math.round((100 + Math.sin(m * 0.9) * 2 + m * 0.05) * 100) / 100;
    const quotes = Array.from({ length: minutes }, (_, m) => ({
      symbol,
      ts: t0 + m * 60_000,
      venue: "N",
      bid: mid(m) - 0.02,
      bidSize: 100,
      ask: mid(m) + 0.02,
      askSize: 100,
    }));
    const trades = Array.from({ length: minutes * 4 }, (_, i) => {
      const m = Math.floor(i / 4);
      const k = i % 4;
      return {
        symbol,
        ts: t0 + m * 60_000 + 1_000 + k * 10_000,
        price: Math.round((mid(m) - 0.01 + k * 0.005) * 1000) / 1000,
        size: 10 + k,
        tradeId: String(i),
      };
    });
    await producer.send({ topic: fx.topics.quotes, messages: quotes.map((q) => ({ key: symbol, value: JSON.stringify(q) })) });
    // The as-of join needs the quotes in the book before the trades arrive.
    await eventually(() => w.processor.stats().quotes >= quotes.length, "the quotes to be folded", 60_000);
    // Five minutes at a time, each folded before the next: several batches, so each chunk's last
    // window goes out provisional first and final with the next chunk.
    for (let from = 0; from < trades.length; from += 20) {
      await producer.send({
        topic: fx.topics.trades,
        messages: trades.slice(from, from + 20).map((t) => ({ key: symbol, value: JSON.stringify(t) })),
      });
      await eventually(() => w.processor.stats().trades >= from + 20, `trades up to #${from + 20} to be folded`, 60_000);
    }

    const lastWindow = t0 + (minutes - 1) * 60_000;
    const candlesOf = (c: SseTestClient) => c.updates.filter((e) => e.event === "candle").map((e) => JSON.parse(e.data) as CandleUpdate);
    await client.waitFor(
      (c) => candlesOf(c).some((u) => u.windowStart === lastWindow && u.isFinal),
      "the last window's final candle (idle close)",
      60_000,
    );

    const ids = client.updates.map((e) => e.id ?? "");
    expect(ids.every((id, i) => i === 0 || compareEventIds(ids[i - 1] ?? "", id) < 0)).toBe(true);
    expect(new Set(client.updates.map((e) => e.event))).toEqual(new Set(["candle", "price", "spread"]));
    expect(client.updates.every((e) => (JSON.parse(e.data) as { symbol: string }).symbol === symbol)).toBe(true);

    // Per window, the last candle update received is final and is the stored candle, indicators included.
    const received = new Map<number, CandleUpdate>();
    const provisionalFirst = new Set<number>();
    for (const update of candlesOf(client)) {
      expect(update.interval).toBe("1m");
      const before = received.get(update.windowStart);
      expect(before?.isFinal, `an update after the final one of window ${update.windowStart}`).not.toBe(true);
      if (before !== undefined) provisionalFirst.add(update.windowStart);
      received.set(update.windowStart, update);
    }
    expect(provisionalFirst.size).toBeGreaterThanOrEqual(4);
    const stored = await fx.store.getCandles(symbol, "1m", t0, lastWindow, 1_000);
    expect(stored).toHaveLength(minutes);
    expect(received.size).toBe(minutes);
    for (const s of stored) {
      expect(s.isFinal).toBe(true);
      expect(received.get(s.candle.windowStart), `window ${s.candle.windowStart}`).toEqual(
        toCandleUpdate(s.candle, s.isFinal, s.indicators),
      );
    }
    expect(received.get(t0 + 18 * 60_000)?.sma20).toBeUndefined();
    expect(received.get(t0 + 19 * 60_000)?.sma20).toBeTypeOf("number");
    expect(received.get(lastWindow)?.ema20).toBeTypeOf("number");

    const prices = client.updates.filter((e) => e.event === "price").map((e) => JSON.parse(e.data) as PriceUpdate);
    expect(prices.length).toBeGreaterThanOrEqual(5);
    expect(prices.map((p) => p.dayVolume)).toEqual([...prices.map((p) => p.dayVolume ?? 0)].sort((a, b) => a - b));
    const lastTrade = trades[trades.length - 1];
    const [latest] = await fx.store.getLatest([symbol]);
    expect(prices.at(-1)).toMatchObject({
      ts: lastTrade?.ts,
      last: lastTrade?.price,
      dayVolume: latest?.dayVolume,
      bid: quotes.at(-1)?.bid,
      ask: quotes.at(-1)?.ask,
    });
    expect(latest?.dayVolume).toBe(trades.reduce((v, t) => v + t.size, 0));
    const spreads = client.updates.filter((e) => e.event === "spread").map((e) => JSON.parse(e.data) as SpreadUpdate);
    expect(spreads.at(-1)).toMatchObject({ bid: quotes.at(-1)?.bid, ask: quotes.at(-1)?.ask });
    expect(spreads.some((s) => s.effectiveSpread !== undefined)).toBe(true);

    expect(w.live?.stats()).toMatchObject({ errors: 0, dropped: 0 });
    const text = await metrics.render();
    expect(text).toContain(`tickstream_stream_ticks_in_total{kind="trades"} ${trades.length}`);
    expect(text).toMatch(
      new RegExp(`^tickstream_stream_consumer_lag\\{topic="${fx.topics.trades.replaceAll(".", "\\.")}",partition="\\d"\\} 0$`, "m"),
    );
    expect(text).toMatch(/^tickstream_stream_write_seconds_count\{kind="trades"\} [1-9]\d*$/m);
    expect(text).toContain("tickstream_stream_live_publish_errors_total 0");
    console.info(
      `live: ${trades.length} trades → ${client.updates.length} SSE updates for ${symbol} ` +
        `(${[...received.values()].length} 1m windows, ${prices.length} prices, ${spreads.length} spreads); live stats ${JSON.stringify(w.live?.stats())}`,
    );
  });
});
