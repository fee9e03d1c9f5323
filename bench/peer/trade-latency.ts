// Per-trade latency of bench:peer, the same way for the product and for Spark: a trade is visible
// once a version of its 1m candle that counts it has been published (the product: a live update in
// the Redis stream; Spark: a micro-batch file). A consumer folds a symbol's trades in partition
// order, so the k-th trade of a (symbol, window) since the consumer's start is in every version
// whose trade count is ≥ k. The trades are read back from Kafka after the run, so measuring adds
// no load while it runs.
import type { Kafka } from "kafkajs";
import { windowStart } from "../../core/intervals";

/** One published state of a candle: how many trades it counts and when it became visible. */
export type CandleVersion = { symbol: string; windowStart: number; count: number; visibleMs: number };

export type TradeRecord = { partition: number; offset: number; symbol: string; ts: number };

/** Per-partition offsets of one topic. */
export type Offsets = Map<number, number>;

export async function endOffsets(admin: ReturnType<Kafka["admin"]>, topic: string): Promise<Offsets> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
}

/** Kafka's `startingOffsets` JSON for Spark: `{"topic":{"0":12,…}}`. */
export function sparkStartingOffsets(topic: string, offsets: Offsets): string {
  return JSON.stringify({ [topic]: Object.fromEntries([...offsets].map(([p, o]) => [String(p), o])) });
}

/**
 * The trades of `topic` from `from` (inclusive) to `to` (exclusive), each partition in offset
 * order, read with a fresh consumer group (`group`, deleted afterwards).
 */
export async function readTrades(kafka: Kafka, topic: string, group: string, from: Offsets, to: Offsets): Promise<TradeRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const out: TradeRecord[] = [];
  try {
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [...from].map(([partition, offset]) => ({ partition, offset: String(offset) })),
    });
    const remaining = new Set([...to].filter(([p, end]) => end > (from.get(p) ?? 0)).map(([p]) => p));
    if (remaining.size === 0) return out;
    const consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              const end = to.get(batch.partition) ?? 0;
              for (const m of batch.messages) {
                const offset = Number(m.offset);
                if (offset >= end) break;
                const trade = JSON.parse(m.value?.toString("utf8") ?? "null") as { symbol: string; ts: number };
                out.push({ partition: batch.partition, offset, symbol: trade.symbol, ts: trade.ts });
                if (offset === end - 1) remaining.delete(batch.partition);
              }
              if (remaining.size === 0) resolve();
              await Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteGroups([group]);
  } finally {
    await admin.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** The first version (binary search: counts grow in visible order) counting at least `ordinal` trades. */
function firstCounting(list: readonly CandleVersion[], ordinal: number): CandleVersion | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as CandleVersion).count >= ordinal) hi = mid;
    else lo = mid + 1;
  }
  return list[lo];
}

export type LatencyResult = {
  /** Produce (the trade's ts, stamped at the send) → visible, ascending, of every measured trade that became visible. */
  latenciesMs: number[];
  /** Measured trades no published version counts. */
  missing: number;
};

/**
 * Latency of each trade at or after `measuredFrom` (per partition); `trades` must start where the
 * consumer started, so the trade counts of the versions line up with the ordinals.
 */
export function tradeLatencies(trades: readonly TradeRecord[], measuredFrom: Offsets, versions: readonly CandleVersion[]): LatencyResult {
  const byKey = new Map<string, CandleVersion[]>();
  for (const v of versions) {
    const key = `${v.symbol}|${v.windowStart}`;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(v);
  }
  // Visible order; a version never counts fewer trades than an earlier one of its candle.
  for (const list of byKey.values()) list.sort((a, b) => a.visibleMs - b.visibleMs || a.count - b.count);
  const ordinals = new Map<string, number>();
  const latenciesMs: number[] = [];
  let missing = 0;
  for (const t of trades) {
    const key = `${t.symbol}|${windowStart(t.ts, "1m")}`;
    const ordinal = (ordinals.get(key) ?? 0) + 1;
    ordinals.set(key, ordinal);
    if (t.offset < (measuredFrom.get(t.partition) ?? 0)) continue;
    const first = firstCounting(byKey.get(key) ?? [], ordinal);
    if (first === undefined) missing++;
    else latenciesMs.push(first.visibleMs - t.ts);
  }
  latenciesMs.sort((a, b) => a - b);
  return { latenciesMs, missing };
}
