import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FakeHttpReceiver, type Answer } from './http-receiver';

export interface DatadogEntry {
  ddsource?: string;
  ddtags?: string;
  hostname?: string;
  service?: string;
  message: string;
}

/**
 * A fake Datadog Logs intake (`POST /api/v2/logs`): `DD-API-KEY` checked (403 otherwise), gzip
 * bodies read, the intake's limits enforced — at most 1,000 entries and 5 MB uncompressed a
 * request (413 past them), 1 MB an entry — and 202 for what it takes.
 */
export class FakeDatadogLogs extends FakeHttpReceiver {
  readonly apiKey = randomBytes(16).toString('hex');
  readonly entries: DatadogEntry[] = [];
  /** Sizes (entries) of the requests it took. */
  readonly batches: number[] = [];

  constructor() {
    super();
    this.maxBodyBytes = 5 * 1024 * 1024;
  }

  protected answer(req: IncomingMessage, url: string, body: Buffer): Answer {
    if (url.split('?')[0] !== '/api/v2/logs' || req.method !== 'POST') return { status: 404, body: { errors: ['Not found'] } };
    if (req.headers['dd-api-key'] !== this.apiKey) return { status: 403, body: { errors: ['Forbidden'] } };
    if (body.length > 5 * 1024 * 1024) return { status: 413, body: { errors: ['Payload too large'] } };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, body: { errors: ['Bad Request: the payload is not valid JSON'] } };
    }
    const entries = (Array.isArray(parsed) ? parsed : [parsed]) as DatadogEntry[];
    if (entries.length > 1000) return { status: 413, body: { errors: ['Payload too large: at most 1000 entries a request'] } };
    if (entries.some((e) => Buffer.byteLength(JSON.stringify(e)) > 1024 * 1024)) return { status: 413, body: { errors: ['Payload too large: an entry is over 1 MB'] } };
    this.entries.push(...entries);
    this.batches.push(entries.length);
    return { status: 202, body: {} };
  }
}
