import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectProducer } from "../../adapters/kafka";
import { eventually, testLog } from "../../test/helpers";
import { replayFiles } from "../feeds/replay-files";
import {
  compareCandles,
  compareIndicators,
  createFixture,
  IBM_DAY_UTC_MS,
  IBM_TRADES,
  IBM_UTC_OFFSET_HOURS,
  referenceCandles,
  referenceIndicators,
  storedIbmCandles,
  type Fixture,
} from "./pipeline-fixture";
import { startStreamWorker, type StreamWorker } from "./start-stream-worker";

describe("replay of the real IBM trade ticks through Kafka, the stream worker and Cassandra", () => {
  let fx: Fixture;
  let producer: Producer;
  let worker: StreamWorker | undefined;

  beforeAll(async () => {
    fx = await createFixture(3);
    producer = await connectProducer(fx.kafka);
  });

  afterAll(async () => {
    await worker?.stop();
    await producer?.disconnect();
    await fx?.close();
  });

  it("stores every 1m and 5m candle equal to an independent reference, all final", async () => {
    const ref1m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
    const ref5m = referenceCandles(IBM_TRADES, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 300_000);
    const trades = [...ref1m.values()].reduce((n, c) => n + c.count, 0);

    const startedMs = Date.now();
    worker = await startStreamWorker({
      kafka: fx.kafka,
      producer,
      store: fx.store,
      topics: fx.topics,
      settings: fx.settings(),
      log: testLog,
    });
    const replay = await replayFiles({ producer, topics: fx.topics, files: [IBM_TRADES] });
    expect(replay.refused).toBe(0);
    expect(replay.sent).toBe(trades);

    const w = worker;
    await eventually(() => w.processor.stats().trades >= trades, "the worker to fold every trade", 120_000);
    const foldedMs = Date.now() - startedMs;
    let stored1m = await storedIbmCandles(fx.store, "1m");
    await eventually(
      async () => {
        stored1m = await storedIbmCandles(fx.store, "1m");
        return stored1m.length === ref1m.size && stored1m.every((c) => c.isFinal);
      },
      "every 1m candle to be stored final (idle close)",
      60_000,
    );
    const stored5m = await storedIbmCandles(fx.store, "5m");
    const totalMs = Date.now() - startedMs;

    expect(compareCandles(stored1m, ref1m)).toEqual([]);
    expect(compareCandles(stored5m, ref5m)).toEqual([]);
    const refIndicators = referenceIndicators(ref1m);
    expect(compareIndicators(stored1m, refIndicators)).toEqual([]);
    expect(stored1m.filter((c) => c.indicators.ema50 !== undefined)).toHaveLength(ref1m.size - 49);
    const stats = w.processor.stats();
    expect(stats.dlq).toBe(0);
    expect(stats.trades).toBe(trades);
    const latest = (await fx.store.getLatest(["IBM"]))[0];
    expect(latest?.dayVolume).toBe([...ref1m.values()].reduce((v, c) => v + c.volume, 0));
    console.info(
      `replay: ${trades} trades → ${ref1m.size} 1m + ${ref5m.size} 5m candles; produced in ${replay.elapsedMs} ms, ` +
        `folded+written in ${foldedMs} ms (${Math.round((trades / foldedMs) * 1000)} trades/s), all final after ${totalMs} ms; ` +
        `${stats.batches} batches, ${stats.candleRowsWritten} candle rows written, last write ${stats.lastWriteMs} ms`,
    );
  });
});
