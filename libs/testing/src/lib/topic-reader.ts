import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { uniqueSuffix, waitFor } from './infrastructure';

export interface ReadMessage {
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The record's timestamp (ms): when its producer sent it, unless the topic stamps the broker's time. */
  timestamp: number;
  json<T = unknown>(): T;
}

/** Reads topics from the beginning into memory so a test can assert on what was published. */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private consumer?: Consumer;

  constructor(private readonly brokers: string[]) {}

  async start(topics: string[]): Promise<this> {
    const kafka = new Kafka({ clientId: 'test-reader', brokers: this.brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `test-reader-${uniqueSuffix()}`, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    // A topic a service has only just created can be missing from a broker's metadata for a
    // moment ("does not host this topic-partition"); kafkajs does not retry subscribe itself.
    await waitFor(
      async () => {
        await consumer.subscribe({ topics, fromBeginning: true });
        return true;
      },
      { timeoutMs: 15000, intervalMs: 200, what: `the broker to know ${topics.join(', ')}` },
    );
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    // Nothing to resume from (its group is new each time), so no offset commits: they would
    // only add broker work to what a test or benchmark measures.
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        const value = message.value?.toString('utf8') ?? null;
        this.messages.push({
          topic,
          key: message.key?.toString('utf8') ?? null,
          value,
          headers: decodeHeaders(message.headers),
          timestamp: Number(message.timestamp),
          json: <T>() => JSON.parse(value ?? 'null') as T,
        });
      },
    });
    await joined;
    return this;
  }

  on(topic: string): ReadMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  async waitForCount(topic: string, count: number, timeoutMs = 15000): Promise<ReadMessage[]> {
    return waitFor(() => (this.on(topic).length >= count ? this.on(topic) : undefined), {
      timeoutMs,
      what: `${count} message(s) on ${topic} (have ${this.on(topic).length})`,
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}
