import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { AuditDestination } from '@gatehouse/config';
import { DestinationError } from '../destination-error';
import { post, secretFrom } from './http-post';
import type { Outgoing, Sink } from './sink';

type Datadog = Extract<AuditDestination, { type: 'datadog' }>;

const gzipAsync = promisify(gzip);
/** The intake's limits: 1,000 entries and 5 MB (uncompressed) a request. */
export const DATADOG_MAX_ENTRIES = 1000;
export const DATADOG_MAX_BYTES = 5 * 1024 * 1024;

/** The entries of a batch cut into requests the intake takes whole. */
export function datadogRequests(entries: readonly string[], maxEntries = DATADOG_MAX_ENTRIES, maxBytes = DATADOG_MAX_BYTES): string[] {
  const requests: string[] = [];
  let current: string[] = [];
  let bytes = 2; // the brackets
  for (const entry of entries) {
    const size = Buffer.byteLength(entry) + 1;
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      requests.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) requests.push(`[${current.join(',')}]`);
  return requests;
}

/**
 * Datadog's Logs intake (`/api/v2/logs`): gzip-compressed JSON arrays within its limits, each
 * record's line as the log message (Datadog parses JSON messages into attributes), with the
 * source, service and tags a Datadog user filters on. 202 is taken.
 */
export class DatadogSink implements Sink {
  private readonly host = hostname();

  constructor(
    private readonly destination: Datadog,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get url(): string {
    return this.destination.url ?? `https://http-intake.logs.${this.destination.site}/api/v2/logs`;
  }

  async send(batch: readonly Outgoing[]): Promise<void> {
    const d = this.destination;
    const entries = batch.map(({ line }) => JSON.stringify({ ddsource: d.ddsource, service: d.service, hostname: this.host, ...(d.ddtags ? { ddtags: d.ddtags } : {}), message: line }));
    for (const body of datadogRequests(entries, d.batchSize)) {
      const answer = await post(this.url, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'dd-api-key': secretFrom(this.env, d.apiKeyEnv, d.name) }, await gzipAsync(body), { timeoutMs: d.timeoutMs });
      if (answer.status < 200 || answer.status >= 300) throw DestinationError.fromStatus(answer.status, answer.text, answer.header('retry-after'));
    }
  }
}
