// The idle close must not finalize a trades partition that still has a backlog. It drains every open
// window through the end of the newest one (the 1h window), so one spurious idle close mid-backlog
// makes every later 1m window final at its batch boundary with part of its trades: the candle is
// corrected by the next batch's late delta, but its indicators (applied once per final candle) are
// not, and the partial close stays in the SMA/EMA state. Drives the processor directly with a
// fake clock so the stall (a slow write round, a rebalance pause) lands at a chosen batch.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { CassandraStore } from "../../adapters/cassandra-store";
import { connectProducer } from "../../adapters/kafka";
import { eventually, testLog } from "../../test/helpers";
import { describeSource, mergedTicks, replayFiles } from "../feeds/replay-files";
import {
  compareCandles,
  compareIndicators,
  createFixture,
  leanTicksUntil,
  IBM_DAY_UTC_MS,
  IBM_TRADES,
  IBM_UTC_OFFSET_HOURS,
  referenceCandles,
  referenceIndicators,
  storedIbmCandles,
  type Fixture,
} from "./pipeline-fixture";
import { startStreamWorker } from "./start-stream-worker";
import { createStreamProcessor, type BatchMessage } from "./stream-processor";

/** 10:00 New York: the first ~4.2k trades of the day, as in the archive/recompute test. */
const CUTOFF_MS_AFTER_MIDNIGHT = 36_000_000;
const BATCH = 300;
const IDLE_CLOSE_MS = 1_500;

const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "idle-backlog-"));
const tradesFile = leanTicksUntil(IBM_TRADES, CUTOFF_MS_AFTER_MIDNIGHT, tmpDir).file;

let fx: Fixture | undefined;

afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

afterAll(() => {
  fs.rmSync(tmpDir, { recursive: true, force: true });
});

/** The subset's trades as the replay produces them (key symbol, JSON value), with offsets 0.. of one partition. */
function tradeMessages(): BatchMessage[] {
  const out: BatchMessage[] = [];
  for (const t of mergedTicks([describeSource(tradesFile)])) {
    if (t.kind !== "trades") continue;
    out.push({ offset: String(out.length), key: Buffer.from(t.tick.symbol), value: Buffer.from(JSON.stringify(t.tick)) });
  }
  return out;
}

type Stall = "idle-timer-during-backlog" | "slow-write-round";

/**
 * Feeds the subset in batches of BATCH through one processor. "idle-timer-during-backlog": after
 * batch 3 the wall clock jumps past idleCloseMs (a rebalance or a slow round) and the idle timer
 * fires while the consumer knows more trades are waiting. "slow-write-round": every candle write
 * takes longer than idleCloseMs and the timer fires right after each round, lag unknown (0).
 */
async function runWith(fixture: Fixture, stall: Stall) {
  let clock = 1_700_000_000_000;
  const slowStore: CassandraStore = {
    ...fixture.store,
    writeCandles: async (rows, nowMs) => {
      if (stall === "slow-write-round") clock += 2 * IDLE_CLOSE_MS;
      await fixture.store.writeCandles(rows, nowMs);
    },
  };
  const settings = fixture.settings({ idleCloseMs: IDLE_CLOSE_MS });
  const processor = createStreamProcessor({
    store: slowStore,
    sendDlq: () => Promise.resolve(),
    topics: fixture.topics,
    groupId: settings.groupId,
    settings,
    log: testLog,
    now: () => clock,
  });
  const messages = tradeMessages();
  const batches: BatchMessage[][] = [];
  for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));
  let processed = 0;
  const ctx = {
    heartbeat: () => Promise.resolve(),
    shouldAbandon: () => false,
    // What the consumer knows from the last batch's offset lag (slow-write-round: nothing).
    hasBacklog: (_partition: number) => stall === "idle-timer-during-backlog" && processed < batches.length,
  };
  await processor.assign({ [fixture.topics.trades]: [0] }, ctx);
  for (const [i, batch] of batches.entries()) {
    expect(await processor.processBatch({ topic: fixture.topics.trades, partition: 0, messages: batch }, ctx)).toBe(true);
    processed++;
    if (stall === "idle-timer-during-backlog" && i === 3) clock += 2 * IDLE_CLOSE_MS;
    await processor.closeIdle(ctx);
  }
  // The feed really stops: the last windows close.
  clock += 2 * IDLE_CLOSE_MS;
  await processor.closeIdle(ctx);
  return { messages: messages.length, stats: processor.stats() };
}

describe("idle close while a trades partition still has a backlog", () => {
  for (const stall of ["idle-timer-during-backlog", "slow-write-round"] as const) {
    it(`${stall}: 1m candles and their indicators equal the independent reference`, async () => {
      const fixture = await createFixture(1);
      fx = fixture;
      const { messages, stats } = await runWith(fixture, stall);
      const ref1m = referenceCandles(tradesFile, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
      expect(stats.trades).toBe(messages);
      const stored = await storedIbmCandles(fixture.store, "1m");
      expect(compareCandles(stored, ref1m)).toEqual([]);
      const off = compareIndicators(stored, referenceIndicators(ref1m));
      if (off.length > 0)
        console.warn(
          `${stall}: ${off.length} indicator mismatch(es), idle closes ${stats.idleCloses}, late trades ${stats.lateTrades}; first ${JSON.stringify(off.slice(0, 3))}`,
        );
      expect(off).toEqual([]);
      // Only the final close (the feed stopped) finalizes by idleness.
      expect(stats.idleCloses).toBe(1);
    });
  }

  it("through Kafka: one write round slower than idleCloseMs mid-backlog leaves the indicators exact", async () => {
    const fixture = await createFixture(1);
    fx = fixture;
    const producer = await connectProducer(fixture.kafka);
    let candleWrites = 0;
    const slowStore: CassandraStore = {
      ...fixture.store,
      writeCandles: async (rows, nowMs) => {
        // The 4th round (of ~10 batches) stalls like a write on a loaded machine.
        if (++candleWrites === 4) await new Promise((resolve) => setTimeout(resolve, 2 * IDLE_CLOSE_MS));
        await fixture.store.writeCandles(rows, nowMs);
      },
    };
    const ref1m = referenceCandles(tradesFile, IBM_DAY_UTC_MS, IBM_UTC_OFFSET_HOURS, 60_000);
    const total = [...ref1m.values()].reduce((n, c) => n + c.count, 0);
    // The whole subset is in Kafka before the worker starts: it works through a backlog.
    expect((await replayFiles({ producer, topics: fixture.topics, files: [tradesFile] })).sent).toBe(total);
    const worker = await startStreamWorker({
      kafka: fixture.kafka,
      producer,
      store: slowStore,
      topics: fixture.topics,
      settings: fixture.settings({ idleCloseMs: IDLE_CLOSE_MS }),
      log: testLog,
    });
    try {
      await eventually(() => worker.processor.stats().trades >= total, "the worker to fold every trade", 90_000);
      await eventually(
        async () => {
          const stored = await storedIbmCandles(fixture.store, "1m");
          return stored.length === ref1m.size && stored.every((c) => c.isFinal);
        },
        "every 1m candle final (idle close)",
        60_000,
      );
      const stored = await storedIbmCandles(fixture.store, "1m");
      expect(candleWrites).toBeGreaterThan(4);
      expect(compareCandles(stored, ref1m)).toEqual([]);
      const off = compareIndicators(stored, referenceIndicators(ref1m));
      if (off.length > 0)
        console.warn(`through Kafka: ${off.length} indicator mismatch(es), stats ${JSON.stringify(worker.processor.stats())}`);
      expect(off).toEqual([]);
    } finally {
      await worker.stop();
      await producer.disconnect();
    }
  });
});
