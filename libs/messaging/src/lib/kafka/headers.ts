/** Kafka header names Gatehouse sets; the envelope stays the source of truth. */
export const HEADERS = {
  type: 'gatehouse-type',
  correlationId: 'gatehouse-correlation-id',
  replyTo: 'gatehouse-reply-to',
  dlqReason: 'gatehouse-dlq-reason',
  dlqOriginalTopic: 'gatehouse-dlq-original-topic',
  dlqOriginalPartition: 'gatehouse-dlq-original-partition',
  dlqOriginalOffset: 'gatehouse-dlq-original-offset',
  dlqConsumerGroup: 'gatehouse-dlq-consumer-group',
  dlqAttempts: 'gatehouse-dlq-attempts',
  dlqFailedAt: 'gatehouse-dlq-failed-at',
} as const;

export function headerString(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return headerString({ v: value[0] }, 'v');
  return String(value);
}
