import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per service, with Node's default metrics and a service label. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly messagesConsumed: Counter<'topic' | 'type' | 'outcome'>;
  readonly messagesPublished: Counter<'topic'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.messagesConsumed = new Counter({
      name: 'gatehouse_messages_consumed_total',
      help: 'Messages consumed, by outcome (handled, answered, expired, duplicate, ignored, dead_lettered, retried)',
      labelNames: ['topic', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.messagesPublished = new Counter({
      name: 'gatehouse_messages_published_total',
      help: 'Messages published to Kafka',
      labelNames: ['topic'],
      registers: [this.registry],
    });
  }
}
