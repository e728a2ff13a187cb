import type { AuditDestination } from '@gatehouse/config';
import { DestinationError } from '../destination-error';
import { authorization, post } from './http-post';
import type { Outgoing, Sink } from './sink';

type Elasticsearch = Extract<AuditDestination, { type: 'elasticsearch' }>;

interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string };
}

/**
 * Elasticsearch or OpenSearch `_bulk`: NDJSON `create` actions with the record id as `_id`, so a
 * record sent twice answers 409 and counts as delivered. The answer is read item by item: the
 * ones refused for a passing reason (429, 5xx) are sent again on their own, a few times, before
 * the batch is handed back to be retried; one refused for good (a mapping error) fails the batch
 * as `reject`, which the shipper splits down to that record and quarantines.
 */
export class ElasticsearchSink implements Sink {
  constructor(
    private readonly destination: Elasticsearch,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async send(batch: readonly Outgoing[]): Promise<void> {
    let pending = [...batch];
    for (let attempt = 0; pending.length > 0; attempt++) {
      const items = await this.bulk(pending);
      const refused = items.flatMap((item, i) => (item.status >= 300 && item.status !== 409 ? [{ item, outgoing: pending[i] as Outgoing }] : []));
      const forGood = refused.find(({ item }) => item.status !== 429 && item.status < 500);
      if (forGood) throw new DestinationError('reject', `record ${forGood.outgoing.record.id}: ${forGood.item.status} ${forGood.item.error?.type ?? ''} ${forGood.item.error?.reason ?? ''}`.trim());
      if (refused.length === 0) return;
      const first = refused[0] as { item: BulkItem };
      if (attempt >= 3) throw new DestinationError('retry', `${refused.length} of the batch refused for now (${first.item.status} ${first.item.error?.type ?? ''})`);
      pending = refused.map((r) => r.outgoing);
      await this.sleep(200 * 2 ** attempt);
    }
  }

  private async bulk(batch: readonly Outgoing[]): Promise<BulkItem[]> {
    const d = this.destination;
    const body = batch.map(({ record, line }) => `${JSON.stringify({ create: { _index: d.index, _id: record.id } })}\n${line}\n`).join('');
    const answer = await post(`${d.url.replace(/\/+$/, '')}/_bulk`, { 'content-type': 'application/x-ndjson', ...authorization(d.auth, this.env, d.name) }, body, { timeoutMs: d.timeoutMs, tls: d.tls });
    if (answer.status < 200 || answer.status >= 300) throw DestinationError.fromStatus(answer.status, answer.text, answer.header('retry-after'));
    const parsed = JSON.parse(answer.text) as { items?: Record<string, BulkItem>[] };
    const items = (parsed.items ?? []).map((entry) => Object.values(entry)[0] as BulkItem);
    if (items.length !== batch.length) throw new DestinationError('retry', `_bulk answered ${items.length} items for ${batch.length} actions`);
    return items;
  }
}
