import { createHmac } from 'node:crypto';
import type { AuditDestination } from '@gatehouse/config';
import { ReusedBytes } from '../../joined-bytes';
import { DestinationError } from '../destination-error';
import { authorization, post, secretFrom } from './http-post';
import { LineSink, type Line } from './sink';

type Webhook = Extract<AuditDestination, { type: 'webhook' }>;

/**
 * An HTTP endpoint taking batches: a JSON array or NDJSON, signed with HMAC-SHA256 over
 * "<timestamp>.<body>" when a secret is set, with a bearer token or basic auth. Its answers
 * become DestinationErrors the shipper acts on.
 */
export class WebhookSink extends LineSink {
  /** Each send waits for its answer (or the request's end) before the next: one buffer serves them all. */
  private readonly bytes = new ReusedBytes();

  constructor(
    private readonly destination: Webhook,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    super();
  }

  async sendLines(lines: readonly Line[]): Promise<void> {
    if (lines.length === 0) return;
    const d = this.destination;
    const body = d.body === 'json' ? this.bytes.join(lines, ',', '[', ']') : this.bytes.join(lines, '\n', '', '\n');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': d.body === 'json' ? 'application/json' : 'application/x-ndjson', 'x-gatehouse-timestamp': timestamp, ...authorization(d.auth, this.env, d.name) };
    if (d.hmacSecretEnv) headers['x-gatehouse-signature'] = `sha256=${createHmac('sha256', secretFrom(this.env, d.hmacSecretEnv, d.name)).update(`${timestamp}.`).update(body).digest('hex')}`;
    const answer = await post(d.url, headers, body, { timeoutMs: d.timeoutMs });
    if (answer.status < 200 || answer.status >= 300) throw DestinationError.fromStatus(answer.status, answer.text, answer.header('retry-after'));
  }
}
