// The latest invalid messages of the DLQ, with their reasons. kafkajs reads only through a
// consumer group, so a throwaway group (never the stream's) reads from `high - limit` of each
// partition without committing, then is deleted. Bounded in count, bytes and time.
import { randomUUID } from "node:crypto";
import type { AdminContext } from "./admin-context";
import { withKafkaAdmin } from "./get-stream-health";
import { parseDlqMessage, type DlqEntry } from "./stream-view";

export const DLQ_VIEW_LIMIT = 50;
/** A read that has not reached the end by then returns what it has. */
const READ_TIMEOUT_MS = 10_000;
/** Equal requests within this window share one read (each read joins and deletes a group). */
const SHARE_MS = 3_000;

export interface DlqView {
  topic: string;
  /** Messages the DLQ holds (all partitions). */
  total: number;
  /** Newest first, at most `limit`. */
  entries: DlqEntry[];
  /** True when the read stopped at its deadline before reaching the newest message. */
  partial: boolean;
}

let shared: { key: string; at: number; result: Promise<DlqView> } | undefined;

export function readLatestDlq(ctx: AdminContext, limit = DLQ_VIEW_LIMIT): Promise<DlqView> {
  const key = `${ctx.topics.dlq}\0${limit}`;
  const now = ctx.nowMs();
  if (shared && shared.key === key && now - shared.at < SHARE_MS) return shared.result;
  const result = readDlq(ctx, limit);
  shared = { key, at: now, result };
  result.catch(() => {
    if (shared?.result === result) shared = undefined;
  });
  return result;
}

async function readDlq(ctx: AdminContext, limit: number): Promise<DlqView> {
  const topic = ctx.topics.dlq;
  const offsets = await withKafkaAdmin(ctx, (admin) => admin.fetchTopicOffsets(topic));
  const total = offsets.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Number(p.low)), 0);
  // Where to start and the last offset to read, per non-empty partition.
  const ranges = new Map(
    offsets
      .filter((p) => Number(p.high) > Number(p.low))
      .map((p) => [p.partition, { from: Math.max(Number(p.low), Number(p.high) - limit), last: Number(p.high) - 1 }]),
  );
  if (ranges.size === 0) return { topic, total, entries: [], partial: false };

  const groupId = `${ctx.groupId}-admin-dlq-${randomUUID()}`;
  const consumer = ctx.kafka.consumer({
    groupId,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: 4 * 1_048_576,
    sessionTimeout: 10_000,
    retry: { retries: 1 },
  });
  const entries: DlqEntry[] = [];
  const pending = new Set(ranges.keys());
  let partial = false;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const range = ranges.get(partition);
        const offset = Number(message.offset);
        if (!range || offset < range.from || offset > range.last) return;
        entries.push(
          parseDlqMessage({ partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value }),
        );
        if (offset >= range.last) {
          pending.delete(partition);
          if (pending.size === 0) finish();
        }
        await Promise.resolve();
      },
    });
    for (const [partition, range] of ranges) consumer.seek({ topic, partition, offset: String(range.from) });
    const timer = setTimeout(() => {
      partial = true;
      finish();
    }, READ_TIMEOUT_MS);
    await done;
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
    // The group committed nothing; deleting it keeps the group list clean.
    await withKafkaAdmin(ctx, (admin) => admin.deleteGroups([groupId])).catch((error: unknown) =>
      ctx.log.warn({ err: error, groupId }, "could not delete the DLQ viewer's consumer group"),
    );
  }
  entries.sort((a, b) => b.atMs - a.atMs || Number(b.offset) - Number(a.offset));
  return { topic, total, entries: entries.slice(0, limit), partial };
}
