import { topicOf, isMessageType, type Envelope } from '@gatehouse/contracts';
import type { Metrics } from '@gatehouse/observability';
import type { IHeaders, TopicMessages } from 'kafkajs';
import { HEADERS } from './headers';
import type { KafkaConnection } from './kafka-connection';

export interface OutgoingMessage {
  topic: string;
  envelope: Envelope;
  headers?: IHeaders;
}

/** What the rest of the code publishes through; Kafka today, an in-process bus later. */
export interface MessagePublisher {
  /** `along`: messages already addressed (physical topics), sent in the same request. */
  publish(messages: readonly OutgoingMessage[], along?: readonly TopicMessages[]): Promise<void>;
}

export function outgoing(envelope: Envelope, headers?: IHeaders): OutgoingMessage {
  if (!isMessageType(envelope.type)) throw new Error(`no topic known for message type "${envelope.type}"`);
  return { topic: topicOf(envelope.type), envelope, headers };
}

/** Publishes envelopes keyed by subject (request id) so one request stays on one partition. */
export class KafkaPublisher implements MessagePublisher {
  constructor(
    private readonly connection: KafkaConnection,
    private readonly metrics?: Metrics,
  ) {}

  async publish(messages: readonly OutgoingMessage[], along: readonly TopicMessages[] = []): Promise<void> {
    if (messages.length === 0 && along.length === 0) return;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    await this.connection.send([
      ...[...byTopic.entries()].map(([topic, list]) => ({
        topic: this.connection.physical(topic),
        messages: list.map(({ envelope, headers }) => ({
          key: envelope.subject,
          value: JSON.stringify(envelope),
          headers: { [HEADERS.type]: envelope.type, [HEADERS.correlationId]: envelope.correlationId, ...headers },
        })),
      })),
      ...along,
    ]);
    for (const [topic, list] of byTopic) this.metrics?.messagesPublished.inc({ topic }, list.length);
  }
}
