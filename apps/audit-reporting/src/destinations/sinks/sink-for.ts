import type { AuditDestination } from '@gatehouse/config';
import { FileSink } from './file-sink';
import { KafkaSink } from './kafka-sink';
import type { Sink } from './sink';
import { StdoutSink } from './stdout-sink';
import { WebhookSink } from './webhook-sink';

export function sinkFor(destination: AuditDestination, kafka: { brokers: readonly string[]; topicPrefix: string }): Sink {
  switch (destination.type) {
    case 'file':
      return new FileSink(destination);
    case 'webhook':
      return new WebhookSink(destination);
    case 'kafka':
      return new KafkaSink(destination, kafka);
    case 'stdout':
      return new StdoutSink();
  }
}
