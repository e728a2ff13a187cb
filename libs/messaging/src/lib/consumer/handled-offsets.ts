import type { TopicPartitionOffsetAndMetadata } from 'kafkajs';

/**
 * The offsets a consumer has handled and not yet committed, per topic and partition: what the
 * next commit should say (Kafka's committed offset is the next one to read, so last + 1).
 */
export class HandledOffsets {
  private readonly pending = new Map<string, TopicPartitionOffsetAndMetadata>();

  handled(topic: string, partition: number, lastOffset: string): void {
    this.pending.set(`${topic}|${partition}`, { topic, partition, offset: (BigInt(lastOffset) + 1n).toString() });
  }

  /** What to commit now; forgotten here (a failed commit is not retried: see the caller). */
  take(): TopicPartitionOffsetAndMetadata[] {
    const due = [...this.pending.values()];
    this.pending.clear();
    return due;
  }

  /** After a rebalance: forget the partitions this member was not given. */
  keepOnly(assignment: Record<string, number[]>): void {
    for (const [key, { topic, partition }] of this.pending) {
      if (!assignment[topic]?.includes(partition)) this.pending.delete(key);
    }
  }
}
