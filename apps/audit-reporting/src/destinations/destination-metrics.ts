import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Metrics } from '@gatehouse/observability';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { AUDIT_DESTINATIONS } from './audit-destinations.token';
import { destinationStates, type DestinationState } from './destination-states';

/**
 * Each destination's lag (records behind the chain's head), delivered, failed and quarantined
 * counts, and whether it is paused, read from its cursor when Prometheus scrapes /metrics.
 */
@Injectable()
export class DestinationMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
    @Inject(AUDIT_DESTINATIONS) private readonly destinations: readonly unknown[],
  ) {}

  onApplicationBootstrap(): void {
    if (this.destinations.length === 0) return;
    // One read a scrape, shared by the gauges.
    let pending: Promise<DestinationState[]> | undefined;
    const states = () => (pending ??= destinationStates(this.dataSource).finally(() => setTimeout(() => (pending = undefined), 100)));
    const gauge = (name: string, help: string, value: (s: DestinationState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['destination'],
        registers: [this.metrics.registry],
        async collect() {
          for (const s of await states().catch(() => [])) this.set({ destination: s.name }, value(s));
        },
      });
    gauge('gatehouse_audit_destination_lag_records', 'Audit records not yet delivered to the destination', (s) => s.lag);
    gauge('gatehouse_audit_destination_delivered_records', 'Audit records delivered to the destination', (s) => s.delivered);
    gauge('gatehouse_audit_destination_failed_attempts', 'Batches the destination did not take (each retried or quarantined)', (s) => s.failed);
    gauge('gatehouse_audit_destination_quarantined_records', 'Audit records the destination refused for good', (s) => s.quarantined);
    gauge('gatehouse_audit_destination_paused', '1 while the destination refuses our credentials', (s) => (s.state === 'paused' ? 1 : 0));
  }
}
