// A kafkajs partition assigner that gives partition N of every subscribed topic to the same
// member. Ticks are keyed by symbol with the same partitioner and partition count on every topic,
// so a symbol's trades and quotes meet in one worker: the trade⨝quote join needs both.
import { AssignerProtocol, type PartitionAssigner } from "kafkajs";

export const CO_PARTITIONED_ASSIGNER_NAME = "CoPartitionedAssigner";

/** Partition numbers dealt round-robin to members sorted by id; each member gets them on all topics. */
export function coPartitionedAssignment(
  memberIds: readonly string[],
  partitionsByTopic: ReadonlyMap<string, readonly number[]>,
): Map<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const numbers = [...new Set([...partitionsByTopic.values()].flat())].sort((a, b) => a - b);
  const out = new Map<string, Record<string, number[]>>(members.map((m) => [m, {}]));
  numbers.forEach((n, i) => {
    const member = members[i % members.length];
    if (member === undefined) return;
    const assignment = out.get(member) ?? {};
    for (const [topic, partitions] of partitionsByTopic) {
      if (partitions.includes(n)) (assignment[topic] ??= []).push(n);
    }
    out.set(member, assignment);
  });
  return out;
}

export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER_NAME,
  version: 1,
  // kafkajs types `assign` as returning Promise; nothing here awaits.
  assign({ members, topics }) {
    const partitionsByTopic = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]));
    const assignment = coPartitionedAssignment(
      members.map((m) => m.memberId),
      partitionsByTopic,
    );
    return Promise.resolve(
      [...assignment].map(([memberId, topicPartitions]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: topicPartitions, userData: Buffer.alloc(0) }),
      })),
    );
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
