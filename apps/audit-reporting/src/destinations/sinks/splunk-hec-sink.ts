import type { AuditDestination } from '@gatehouse/config';
import { stableUuid } from '../../stable-uuid';
import { DestinationError } from '../destination-error';
import { post, secretFrom, type HttpAnswer } from './http-post';
import type { Outgoing, Sink } from './sink';

type SplunkHec = Extract<AuditDestination, { type: 'splunk-hec' }>;

/** A GUID of its own per destination name: every replica uses the same channel. */
export function channelFor(name: string): string {
  return stableUuid(`gatehouse-audit:${name}`, '4');
}

/**
 * Splunk's HTTP Event Collector: a batch is one POST of concatenated event objects to
 * /services/collector/event (`Authorization: Splunk <token>`, a request channel). With indexer
 * acknowledgement, the batch counts as delivered only once /services/collector/ack says its
 * ackId is indexed; an ack that never comes sends the batch again (at-least-once).
 */
export class SplunkHecSink implements Sink {
  private readonly channel: string;

  constructor(
    private readonly destination: SplunkHec,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.channel = destination.channel ?? channelFor(destination.name);
  }

  async send(batch: readonly Outgoing[]): Promise<void> {
    if (batch.length === 0) return;
    const d = this.destination;
    const body = batch
      .map(({ record, line }) =>
        JSON.stringify({ time: Date.parse(record.time) / 1000, source: d.source, sourcetype: d.sourcetype, ...(d.index ? { index: d.index } : {}), event: JSON.parse(line) as unknown }),
      )
      .join('\n');
    const answer = await this.call('/services/collector/event', body);
    const ackId = (JSON.parse(answer.text || '{}') as { ackId?: number }).ackId;
    if (d.ack?.enabled) {
      if (ackId === undefined) throw new DestinationError('pause', 'Splunk gave no ackId: turn indexer acknowledgement on for this HEC token, or set ack.enabled: false');
      await this.awaitAck(ackId);
    }
  }

  private async awaitAck(ackId: number): Promise<void> {
    const ack = this.destination.ack as NonNullable<SplunkHec['ack']>;
    const deadline = Date.now() + ack.timeoutMs;
    while (Date.now() < deadline) {
      await this.sleep(ack.pollMs);
      const answer = await this.call('/services/collector/ack', JSON.stringify({ acks: [ackId] }));
      const acks = (JSON.parse(answer.text || '{}') as { acks?: Record<string, boolean> }).acks ?? {};
      if (acks[String(ackId)]) return;
    }
    throw new DestinationError('retry', `Splunk did not acknowledge batch ${ackId} as indexed within ${ack.timeoutMs} ms; sending it again`);
  }

  private async call(path: string, body: string): Promise<HttpAnswer> {
    const d = this.destination;
    const url = `${d.url.replace(/\/+$/, '')}${path}${path.endsWith('/ack') ? `?channel=${this.channel}` : ''}`;
    const answer = await post(url, { authorization: `Splunk ${secretFrom(this.env, d.tokenEnv, d.name)}`, 'content-type': 'application/json', 'x-splunk-request-channel': this.channel }, body, { timeoutMs: d.timeoutMs, tls: d.tls });
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw splunkError(answer);
  }
}

/** HEC's answers: its `code` says more than the status (9: busy; 1–4: the token; 7: the index; 5, 6, 12, 13: the data). */
function splunkError(answer: HttpAnswer): DestinationError {
  let parsed: { text?: string; code?: number } = {};
  try {
    parsed = JSON.parse(answer.text) as { text?: string; code?: number };
  } catch {
    // not HEC's JSON: the status decides
  }
  const detail = `HTTP ${answer.status}${parsed.code !== undefined ? ` (HEC code ${parsed.code}: ${parsed.text ?? ''})` : answer.text ? `: ${answer.text.slice(0, 200)}` : ''}`;
  if (parsed.code === 2 || parsed.code === 3 || parsed.code === 4 || parsed.code === 1) return new DestinationError('pause', `${detail} — Splunk refuses the HEC token`);
  if (parsed.code === 7) return new DestinationError('pause', `${detail} — the HEC token may not write to that index`);
  if (parsed.code === 10 || parsed.code === 11 || parsed.code === 14) return new DestinationError('pause', `${detail} — the request channel or indexer acknowledgement is misconfigured`);
  return DestinationError.fromStatus(answer.status, parsed.text ?? answer.text, answer.header('retry-after'));
}
