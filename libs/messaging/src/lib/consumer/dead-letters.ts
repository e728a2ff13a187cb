import { deadLetterTopicOf } from '@gatehouse/contracts';
import type { Logger, Metrics } from '@gatehouse/observability';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { HEADERS } from '../kafka/headers';
import type { KafkaConnection } from '../kafka/kafka-connection';
import type { ConsumeContext } from './consume-context';

/** Messages set aside on `<topic>.dlq`, as they came, with why in their headers. */
export class DeadLetters {
  constructor(
    private readonly connection: KafkaConnection,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /**
   * Sends `message` (read from `topic`, a physical name: its twin carries the same prefix) to
   * the dead-letter topic. If this send fails, the error reaches kafkajs, the offset is not
   * committed, and the message is tried again: nothing is dropped silently.
   */
  async send(topic: string, message: KafkaMessage, context: Omit<ConsumeContext, 'attempt'>, reason: string, attempts: number, type: string): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      [HEADERS.dlqReason]: reason.slice(0, 4000),
      [HEADERS.dlqOriginalTopic]: topic,
      [HEADERS.dlqOriginalPartition]: String(context.partition),
      [HEADERS.dlqOriginalOffset]: context.offset,
      [HEADERS.dlqConsumerGroup]: context.groupId,
      [HEADERS.dlqAttempts]: String(attempts),
      [HEADERS.dlqFailedAt]: new Date().toISOString(),
    };
    await this.connection.send([{ topic: deadLetterTopicOf(topic), messages: [{ key: message.key, value: message.value, headers }] }]);
    this.metrics?.messagesConsumed.inc({ topic, type, outcome: 'dead_lettered' });
    this.log.warn({ topic, offset: context.offset, reason }, 'message dead-lettered');
  }
}

/** The type a message that failed validation says it has, if it says one. */
export function describeType(raw: unknown): string {
  return typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string' ? (raw as { type: string }).type : 'unknown';
}
