// A write round longer than the group session (a loaded or slow cluster) must not cost the worker
// its group membership: kafkajs heartbeats only when asked, and a member that goes quiet for a
// session is dropped, its batch replayed and, with several workers, every member rebalanced.
import type { Producer } from "kafkajs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectProducer } from "../../adapters/kafka";
import { eventually } from "../../test/helpers";
import { createFixture, type Fixture } from "./pipeline-fixture";
import { startStreamWorker, type StreamWorker } from "./start-stream-worker";

const SESSION_MS = 3_000;
/** The one slow write: well past the session. */
const SLOW_WRITE_MS = 2.5 * SESSION_MS;

describe("a write round longer than the group session", () => {
  let fx: Fixture;
  let producer: Producer;
  let worker: StreamWorker | undefined;
  const logLines: Array<{ msg?: string }> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as { msg?: string }) });

  beforeAll(async () => {
    fx = await createFixture(1);
    producer = await connectProducer(fx.kafka);
  });

  afterAll(async () => {
    await worker?.stop();
    await producer?.disconnect();
    await fx?.close();
  });

  it("keeps the worker in its group: no rejoin, no batch given up or replayed, every trade written once", async () => {
    let slowWrites = 0;
    const store = {
      ...fx.store,
      writeTrades: async (...args: Parameters<Fixture["store"]["writeTrades"]>) => {
        if (slowWrites === 0) {
          slowWrites += 1;
          await new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS));
        }
        return fx.store.writeTrades(...args);
      },
    };
    worker = await startStreamWorker({
      kafka: fx.kafka,
      producer,
      store,
      topics: fx.topics,
      settings: fx.settings({ sessionTimeoutMs: SESSION_MS }),
      log,
    });
    const t0 = Date.now() - 10 * 60_000;
    const trades = Array.from({ length: 60 }, (_, i) => ({
      key: "SLOW",
      value: JSON.stringify({ symbol: "SLOW", ts: t0 + 5_000 * i, price: 20 + i / 100, size: 10, tradeId: `s${i}` }),
    }));
    await producer.send({ topic: fx.topics.trades, messages: trades.slice(0, 30) });
    await eventually(() => slowWrites === 1, "the slow write to begin", 30_000);
    await producer.send({ topic: fx.topics.trades, messages: trades.slice(30) });
    await eventually(() => worker?.processor.stats().trades === 60, "every trade folded", 60_000);

    const stats = worker.processor.stats();
    expect(slowWrites).toBe(1);
    expect(stats.abandonedBatches).toBe(0);
    expect(stats.duplicatesSkipped).toBe(0);
    expect(logLines.filter((line) => line.msg === "group joined")).toHaveLength(1);
    expect(logLines.filter((line) => line.msg?.includes("offset commit failed"))).toEqual([]);
    const stored = await fx.store.getCandles("SLOW", "1m", t0 - 60_000, t0 + 10 * 60_000, 100);
    expect(stored.reduce((sum, c) => sum + c.candle.tradeCount, 0)).toBe(60);
  }, 90_000);
});
