import type { Message, TopicMessages } from 'kafkajs';

/** The one call of kafkajs's producer this needs. */
export interface BatchProducer {
  sendBatch(batch: { acks: number; topicMessages: TopicMessages[] }): Promise<unknown>;
}

export interface CoalescingSenderOptions {
  /** Most messages one produce request carries (default 500). */
  maxMessages?: number;
  /** Most bytes of keys and values one produce request carries (default 512 KiB, half the broker's default limit). */
  maxBytes?: number;
}

interface Waiting {
  topicMessages: TopicMessages[];
  count: number;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for an idempotent producer. Such a producer keeps one produce request in flight
 * per broker (that is what keeps its order and its retries exact), so sends made one by one
 * queue behind each other, a round trip each: a process answering 50 requests a second, each
 * with a reply and a question of its own, spent most of its time waiting there. Here every send
 * made while a request is in flight waits for the next one, and that next request carries all
 * of them: no added delay when idle, one round trip for many sends when busy. Order between
 * sends is kept. If a request carrying several callers' messages fails, each caller's messages
 * are sent again on their own, so one caller's bad message (too large, say) fails only that caller
 * (messages of that request that had been stored may be stored twice; consumers are idempotent).
 */
export class CoalescingSender {
  private readonly queue: Waiting[] = [];
  private flushing = false;
  private readonly maxMessages: number;
  private readonly maxBytes: number;

  constructor(
    private readonly producer: () => Promise<BatchProducer>,
    options: CoalescingSenderOptions = {},
  ) {
    this.maxMessages = options.maxMessages ?? 500;
    this.maxBytes = options.maxBytes ?? 512 * 1024;
  }

  send(topicMessages: readonly TopicMessages[]): Promise<void> {
    const count = topicMessages.reduce((n, t) => n + t.messages.length, 0);
    if (count === 0) return Promise.resolve();
    const bytes = topicMessages.reduce((n, t) => n + t.messages.reduce((m, message) => m + sizeOf(message), 0), 0);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topicMessages: [...topicMessages], count, bytes, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const taken = this.take();
        try {
          await this.sendOnce(taken);
          for (const waiting of taken) waiting.resolve();
        } catch (error) {
          if (taken.length === 1) taken[0]?.reject(error);
          else for (const waiting of taken) await this.sendOnce([waiting]).then(waiting.resolve, waiting.reject);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The oldest sends that fit one request (always at least one). */
  private take(): Waiting[] {
    const taken: Waiting[] = [];
    let count = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Waiting;
      if (taken.length > 0 && (count + next.count > this.maxMessages || bytes + next.bytes > this.maxBytes)) break;
      taken.push(next);
      this.queue.shift();
      count += next.count;
      bytes += next.bytes;
    }
    return taken;
  }

  private async sendOnce(taken: readonly Waiting[]): Promise<void> {
    const producer = await this.producer();
    // Messages of one topic stay in the order they were sent, across callers.
    const byTopic = new Map<string, Message[]>();
    for (const waiting of taken) {
      for (const { topic, messages } of waiting.topicMessages) {
        const list = byTopic.get(topic);
        if (list) list.push(...messages);
        else byTopic.set(topic, [...messages]);
      }
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }
}

function sizeOf(message: Message): number {
  return lengthOf(message.key) + lengthOf(message.value) + 64;
}

function lengthOf(part: Message['key'] | Message['value']): number {
  if (part === null || part === undefined) return 0;
  return typeof part === 'string' ? Buffer.byteLength(part) : part.length;
}
