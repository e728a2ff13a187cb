/**
 * Kafka header names Gatehouse sets; the envelope stays the source of truth. The dead-letter
 * ones are what operators' tooling (and the chaos soak) read a dead letter's reason from.
 */
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
