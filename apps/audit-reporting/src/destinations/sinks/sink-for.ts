import type { AuditDestination } from '@gatehouse/config';
import { DatadogSink } from './datadog-sink';
import { ElasticsearchSink } from './elasticsearch-sink';
import { FileSink } from './file-sink';
import type { KafkaSecurity } from '@gatehouse/messaging';
import { KafkaSink } from './kafka-sink';
import { S3Sink } from './s3-sink';
import type { Sink } from './sink';
import { SplunkHecSink } from './splunk-hec-sink';
import { StdoutSink } from './stdout-sink';
import { SyslogSink } from './syslog-sink';
import { WebhookSink } from './webhook-sink';

export function sinkFor(destination: AuditDestination, kafka: { brokers: readonly string[]; topicPrefix: string; security?: KafkaSecurity }): Sink {
  switch (destination.type) {
    case 'file':
      return new FileSink(destination);
    case 'webhook':
      return new WebhookSink(destination);
    case 'kafka':
      return new KafkaSink(destination, kafka);
    case 'splunk-hec':
      return new SplunkHecSink(destination);
    case 'elasticsearch':
      return new ElasticsearchSink(destination);
    case 'datadog':
      return new DatadogSink(destination);
    case 'syslog':
      return new SyslogSink(destination);
    case 's3':
      return new S3Sink(destination);
    case 'stdout':
      return new StdoutSink();
  }
}
