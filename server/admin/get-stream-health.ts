// The stream's health for the console: the stream group's members and what each holds, lag per
// partition of the tick topics, ticks/s in (produced) and out (committed by the group), and the
// DLQ's size. Read with the Kafka admin API only: the group is never joined, nothing is committed.
import { AssignerProtocol, type Admin } from "kafkajs";
import type { AdminContext } from "./admin-context";
import { offsetSample, partitionLags, tickRates, type OffsetSample, type PartitionLag, type TickRates } from "./stream-view";

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** topic → partitions assigned to this member. */
  assignment: Record<string, number[]>;
}

export interface StreamHealth {
  groupId: string;
  /** Group state as the coordinator reports it (Stable, PreparingRebalance, Empty, Dead…). */
  state: string;
  members: GroupMember[];
  partitions: PartitionLag[];
  totalLag: number;
  rates: TickRates | null;
  dlq: { topic: string; messages: number };
  checkedAtMs: number;
}

/** How far apart two rate samples must be, and how old the kept one may be. */
const MIN_SAMPLE_GAP_MS = 900;
const MAX_SAMPLE_AGE_MS = 60_000;
const MAX_KEPT_SAMPLES = 16;
// The last sample per group and topic set; bounded (tests use many).
const samples = new Map<string, { sample: OffsetSample; rates: TickRates | null }>();

/** Runs `work` with a connected admin client, then disconnects it. */
export async function withKafkaAdmin<T>(ctx: AdminContext, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function readLags(ctx: AdminContext, admin: Admin): Promise<PartitionLag[]> {
  const tickTopics = [ctx.topics.trades, ctx.topics.quotes, ctx.topics.prices];
  const committed = await admin.fetchOffsets({ groupId: ctx.groupId, topics: tickTopics });
  const lags: PartitionLag[] = [];
  for (const topic of tickTopics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    const byPartition = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
    lags.push(...partitionLags(topic, offsets, byPartition));
  }
  return lags;
}

function decodeAssignment(buffer: Buffer): Record<string, number[]> {
  if (buffer.length === 0) return {};
  const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
  return decoded?.assignment ?? {};
}

export async function getStreamHealth(ctx: AdminContext): Promise<StreamHealth> {
  return withKafkaAdmin(ctx, async (admin) => {
    const [groups, dlqOffsets] = await Promise.all([admin.describeGroups([ctx.groupId]), admin.fetchTopicOffsets(ctx.topics.dlq)]);
    const group = groups.groups[0];
    let partitions = await readLags(ctx, admin);
    let atMs = ctx.nowMs();
    const key = `${ctx.groupId}\0${ctx.topics.trades}`;
    const kept = samples.get(key);
    let rates: TickRates | null;
    if (kept && atMs - kept.sample.atMs < MIN_SAMPLE_GAP_MS) {
      // Polled again within a second: the last rates still stand.
      rates = kept.rates;
    } else {
      let earlier = kept && atMs - kept.sample.atMs <= MAX_SAMPLE_AGE_MS ? kept.sample : undefined;
      if (!earlier) {
        // First look (or a stale one): sample twice, a second apart.
        earlier = offsetSample(atMs, partitions);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        partitions = await readLags(ctx, admin);
        atMs = ctx.nowMs();
      }
      const sample = offsetSample(atMs, partitions);
      rates = tickRates(earlier, sample);
      samples.delete(key);
      samples.set(key, { sample, rates });
      if (samples.size > MAX_KEPT_SAMPLES) samples.delete(samples.keys().next().value ?? key);
    }
    return {
      groupId: ctx.groupId,
      state: group?.state ?? "Unknown",
      members: (group?.members ?? []).map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment: decodeAssignment(m.memberAssignment),
      })),
      partitions,
      totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
      rates,
      dlq: { topic: ctx.topics.dlq, messages: dlqOffsets.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Number(p.low)), 0) },
      checkedAtMs: atMs,
    };
  });
}
