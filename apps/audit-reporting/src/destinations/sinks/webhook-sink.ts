import { createHmac } from 'node:crypto';
import type { AuditDestination } from '@gatehouse/config';
import { DestinationError } from '../destination-error';
import type { Outgoing, Sink } from './sink';

type Webhook = Extract<AuditDestination, { type: 'webhook' }>;

/**
 * An HTTP endpoint taking batches: a JSON array or NDJSON, signed with HMAC-SHA256 over
 * "<timestamp>.<body>" when a secret is set, with a bearer token or basic auth. Its answers
 * become DestinationErrors the shipper acts on.
 */
export class WebhookSink implements Sink {
  constructor(
    private readonly destination: Webhook,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async send(batch: readonly Outgoing[]): Promise<void> {
    if (batch.length === 0) return;
    const lines = batch.map((o) => o.line);
    const d = this.destination;
    const body = d.body === 'json' ? `[${lines.join(',')}]` : `${lines.join('\n')}\n`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': d.body === 'json' ? 'application/json' : 'application/x-ndjson', 'x-gatehouse-timestamp': timestamp };
    if (d.hmacSecretEnv) headers['x-gatehouse-signature'] = `sha256=${createHmac('sha256', this.secret(d.hmacSecretEnv)).update(`${timestamp}.${body}`).digest('hex')}`;
    if (d.auth && 'bearerTokenEnv' in d.auth) headers['authorization'] = `Bearer ${this.secret(d.auth.bearerTokenEnv)}`;
    if (d.auth && 'username' in d.auth) headers['authorization'] = `Basic ${Buffer.from(`${d.auth.username}:${this.secret(d.auth.passwordEnv)}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(d.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(d.timeoutMs) });
    } catch (error) {
      throw new DestinationError('retry', `no answer from ${new URL(d.url).host} (${error instanceof Error ? error.message : String(error)})`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw DestinationError.fromStatus(response.status, text, response.headers.get('retry-after'));
  }

  private secret(name: string): string {
    const value = this.env[name];
    if (!value) throw new DestinationError('pause', `${name} is not set: the ${this.destination.name} destination needs it`);
    return value;
  }
}
