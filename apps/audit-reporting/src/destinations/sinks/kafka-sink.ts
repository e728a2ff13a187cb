import type { AuditDestination } from '@gatehouse/config';
import { TOPICS } from '@gatehouse/contracts';
import { kafkaSecurityOptions, type KafkaSecurity } from '@gatehouse/messaging';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { DestinationError } from '../destination-error';
import type { Outgoing, ShippedEvent, Sink } from './sink';

type KafkaDestination = Extract<AuditDestination, { type: 'kafka' }>;

/** CloudEvents' Kafka binding, binary mode: the attributes as `ce_*` headers, the data as the value, keyed by subject. */
export function cloudEventMessage(record: ShippedEvent, value: string): { key: string; value: string; headers: Record<string, string> } {
  const optional = { ce_dataschema: record.dataschema, ce_correlationid: record.correlationid, ce_hash: record.hash, ce_previoushash: record.previoushash };
  return {
    key: record.subject,
    value,
    headers: {
      ce_specversion: record.specversion,
      ce_id: record.id,
      ce_source: record.source,
      ce_type: record.type,
      ce_time: record.time,
      ce_subject: record.subject,
      ce_sequence: record.sequence,
      ...Object.fromEntries(Object.entries(optional).filter((entry): entry is [string, string] => entry[1] !== undefined)),
      'content-type': 'application/json',
    },
  };
}

/**
 * A Kafka topic (gatehouse.audit.v1 by default), in CloudEvents binary mode, every record keyed
 * by its request so one request's records stay in order on one partition. Taken once all
 * in-sync replicas have it; the idempotent producer keeps a resend from doubling a batch.
 */
export class KafkaSink implements Sink {
  private producer?: Promise<Producer>;

  constructor(
    private readonly destination: KafkaDestination,
    private readonly defaults: { brokers: readonly string[]; topicPrefix: string; security?: KafkaSecurity },
  ) {}

  get topic(): string {
    return this.destination.topic ?? `${this.defaults.topicPrefix}${TOPICS.audit}`;
  }

  async send(batch: readonly Outgoing[]): Promise<void> {
    if (batch.length === 0) return;
    // Binary mode: with the cloudevents format the value is the data alone (the attributes are headers).
    const messages = batch.map(({ record, line }) => cloudEventMessage(record, this.destination.format === 'cloudevents' ? JSON.stringify(record.data) : line));
    try {
      const producer = await this.connect();
      await producer.send({ topic: this.topic, acks: -1, messages });
    } catch (error) {
      await this.close();
      throw new DestinationError('retry', `Kafka ${this.topic}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  private connect(): Promise<Producer> {
    this.producer ??= (async () => {
      // Gatehouse's own cluster (no brokers of its own) is reached as the service reaches it.
      const own = this.destination.brokers === undefined;
      const kafka = new Kafka({
        clientId: `gatehouse-audit-${this.destination.name}`,
        brokers: [...(this.destination.brokers ?? this.defaults.brokers)],
        logLevel: logLevel.NOTHING,
        retry: { retries: 3 },
        ...(own ? kafkaSecurityOptions(this.defaults.security) : {}),
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic: this.topic, numPartitions: 6 }], waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
      const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }
}
