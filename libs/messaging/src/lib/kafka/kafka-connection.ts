import { Kafka, Partitioners, logLevel, type Admin, type ITopicConfig, type Producer, type TopicMessages } from 'kafkajs';
import { releaseRiders } from '../request-reply/reply-riders';
import { CoalescingSender } from './coalescing-sender';
import { kafkaLog } from './kafka-log';
import { kafkaSecurityOptions, type KafkaSecurity } from './kafka-security';
import { applyRequestQueueFix } from './request-queue-fix';
import { deadLetterTopicOf } from '@gatehouse/contracts';
import type { Logger } from '@gatehouse/observability';

applyRequestQueueFix();

export interface KafkaConnectionOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** Partitions for topics this service creates (default 6). */
  partitions?: number;
  /**
   * Prepended to every topic name on the wire, so several Gatehouse installations (or test
   * runs) can share one cluster without seeing each other's messages. Default: none.
   */
  topicPrefix?: string;
  /** TLS and SASL to the brokers, when they want them. */
  security?: KafkaSecurity;
}

/**
 * One Kafka client per process: an idempotent producer shared by everything that
 * publishes (through `send`, which groups concurrent sends into one request), and an admin
 * client for creating topics and answering readiness probes.
 */
export class KafkaConnection {
  readonly kafka: Kafka;
  private producerPromise?: Promise<Producer>;
  private adminPromise?: Promise<Admin>;
  private readonly sender = new CoalescingSender(() => this.producer());

  constructor(private readonly options: KafkaConnectionOptions) {
    const log = options.logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { initialRetryTime: 100, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator: () => kafkaLog(log),
      ...kafkaSecurityOptions(options.security),
    });
  }

  /** The name a logical topic (from contracts), or a consumer group, has on the broker. */
  physical(topic: string): string {
    return `${this.options.topicPrefix ?? ''}${topic}`;
  }

  producer(): Promise<Producer> {
    this.producerPromise ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producerPromise = undefined;
      throw error;
    });
    return this.producerPromise;
  }

  /**
   * Sends messages (physical topic names) with `acks: -1`. Sends made while one is in flight go
   * together in the next request: see CoalescingSender.
   */
  async send(topicMessages: readonly TopicMessages[]): Promise<void> {
    // Events committed earlier in this handler go out first (they wait for its answer otherwise).
    await releaseRiders();
    const used = this.producerPromise;
    try {
      await this.sender.send(topicMessages);
    } catch (error) {
      if (!producerStateLost(error) || !used) throw error;
      // The broker no longer accepts this producer's sequence (seen after a broker restart
      // with sends in flight, in the chaos soak): kafkajs never recovers such a producer, so
      // every later send failed. A new producer (a new producer id) starts afresh; the batch
      // was refused, so sending it again adds nothing twice that consumers would not absorb.
      if (this.producerPromise === used) {
        this.producerPromise = undefined;
        void used.then((p) => p.disconnect()).catch(() => undefined);
        this.options.logger.warn({ err: error }, 'Kafka refused the producer\'s sequence; started a new producer');
      }
      await this.sender.send(topicMessages);
    }
  }

  admin(): Promise<Admin> {
    this.adminPromise ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.adminPromise = undefined;
      throw error;
    });
    return this.adminPromise;
  }

  /**
   * Creates the topics (and their dead-letter twins) that do not exist yet, and waits until
   * each has partition leaders. Names are logical. Services starting together race to
   * create the same topics, so a failed round is simply tried again.
   */
  async ensureTopics(topics: readonly string[], { timeoutMs = 30000, retentionMs }: { timeoutMs?: number; retentionMs?: number } = {}): Promise<void> {
    const admin = await this.admin();
    const wanted = [
      ...new Set(topics.flatMap((t) => (t.endsWith('.dlq') ? [t] : [t, deadLetterTopicOf(t)])).map((t) => this.physical(t))),
    ];
    if (wanted.length === 0) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing: ITopicConfig[] = wanted
          .filter((topic) => !existing.has(topic))
          .map((topic) => ({
            topic,
            numPartitions: this.options.partitions ?? 6,
            replicationFactor: -1,
            ...(retentionMs ? { configEntries: [{ name: 'retention.ms', value: String(retentionMs) }] } : {}),
          }));
        if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: false });
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: wanted });
        if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${wanted.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Readiness: the cluster answers a metadata request. */
  async ping(): Promise<void> {
    const admin = await this.admin();
    await admin.describeCluster();
  }

  async close(): Promise<void> {
    const producer = this.producerPromise;
    const admin = this.adminPromise;
    this.producerPromise = undefined;
    this.adminPromise = undefined;
    await Promise.allSettled([producer?.then((p) => p.disconnect()), admin?.then((a) => a.disconnect())]);
  }
}

/** Kafka's answers that mean the idempotent producer's state is gone on the broker side. */
const PRODUCER_STATE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

export function producerStateLost(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
    const { type, message } = e as { type?: unknown; message?: unknown };
    if (typeof type === 'string' && PRODUCER_STATE_LOST.has(type)) return true;
    if (typeof message === 'string' && /out of order sequence number|unknown producer id|producer.*epoch/i.test(message)) return true;
  }
  return false;
}
