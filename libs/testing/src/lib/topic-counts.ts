import { Kafka, logLevel } from 'kafkajs';

/**
 * How many messages each topic holds now (high minus low watermark over its partitions): of
 * the topics named, or of every topic whose name `matches`.
 */
export async function topicMessageCounts(brokers: string[], topics: readonly string[] | ((topic: string) => boolean)): Promise<Map<string, number>> {
  const admin = new Kafka({ clientId: 'topic-counts', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const names = typeof topics === 'function' ? (await admin.listTopics()).filter(topics) : [...topics];
    return new Map(await Promise.all(names.map(async (topic) => [topic, (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)] as const)));
  } finally {
    await admin.disconnect();
  }
}
