import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FakeHttpReceiver, type Answer } from './http-receiver';

export interface HecEvent {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A fake Splunk HTTP Event Collector: `/services/collector/event` with HEC's auth
 * (`Authorization: Splunk <token>`), its JSON answers and codes (2/3 token missing or malformed,
 * 4 invalid, 5 no data, 6 invalid format, 7 incorrect index, 9 busy, 10/11 channel), indexer
 * acknowledgement through `/services/collector/ack`, and `/services/collector/health`. Events
 * count as indexed (in `events`) once acknowledged; `loseUnacknowledged` drops a batch instead,
 * as an indexer that fails before it writes.
 */
export class FakeSplunkHec extends FakeHttpReceiver {
  readonly token = randomBytes(16).toString('hex');
  /** Indexes the token may write to (empty: any). */
  allowedIndexes: string[] = [];
  /** Whether the token has indexer acknowledgement on (then a channel is required). */
  useAck = true;
  /** How long after receipt a batch is indexed and acknowledged. */
  ackDelayMs = 0;
  /** The next N batches are never indexed: their acks stay false. */
  loseUnacknowledged = 0;
  readonly events: HecEvent[] = [];
  private nextAckId = 0;
  private readonly pending = new Map<string, { at: number; events: HecEvent[]; lost: boolean }[]>();
  private readonly acked = new Map<string, Set<number>>();

  constructor(tls?: { key: string; cert: string }) {
    super(tls);
  }

  protected override unavailable(): Answer {
    return { status: 503, body: { text: 'Server is busy', code: 9 } };
  }

  protected override tooLarge(): Answer {
    return { status: 413, body: { text: 'Content-Length of the request exceeds max_content_length', code: 6 } };
  }

  protected answer(req: IncomingMessage, url: string, body: Buffer): Answer {
    const path = url.split('?')[0];
    if (path === '/services/collector/health') return { status: 200, body: { text: 'HEC is healthy', code: 17 } };
    const auth = req.headers['authorization'];
    if (!auth) return { status: 401, body: { text: 'Token is required', code: 2 } };
    const [scheme, token] = auth.split(' ');
    if (scheme !== 'Splunk' || !token) return { status: 401, body: { text: 'Invalid authorization', code: 3 } };
    if (token !== this.token) return { status: 403, body: { text: 'Invalid token', code: 4 } };
    const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? new URL(url, 'http://x').searchParams.get('channel') ?? undefined;
    if (this.useAck && !channel) return { status: 400, body: { text: 'Data channel is missing', code: 10 } };
    if (channel && !GUID.test(channel)) return { status: 400, body: { text: 'Invalid data channel', code: 11 } };
    if (path === '/services/collector/ack') return this.ack(channel ?? '', body);
    if (path !== '/services/collector/event' && path !== '/services/collector') return { status: 404, body: { text: 'The requested URL was not found on this server.', code: 404 } };
    return this.collect(channel, body);
  }

  private collect(channel: string | undefined, body: Buffer): Answer {
    const text = body.toString('utf8');
    if (text.trim() === '') return { status: 400, body: { text: 'No data', code: 5 } };
    const events: HecEvent[] = [];
    // HEC takes event objects one after another, with or without whitespace between them.
    let rest = text.trim();
    while (rest.length > 0) {
      const end = endOfObject(rest);
      if (end < 0) return { status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': events.length } };
      let parsed: HecEvent;
      try {
        parsed = JSON.parse(rest.slice(0, end)) as HecEvent;
      } catch {
        return { status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': events.length } };
      }
      if (!('event' in parsed)) return { status: 400, body: { text: 'Event field is required', code: 12, 'invalid-event-number': events.length } };
      if (parsed.event === '' || parsed.event === null) return { status: 400, body: { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': events.length } };
      if (parsed.index && this.allowedIndexes.length > 0 && !this.allowedIndexes.includes(parsed.index)) return { status: 400, body: { text: 'Incorrect index', code: 7, 'invalid-event-number': events.length } };
      events.push(parsed);
      rest = rest.slice(end).trimStart();
    }
    if (!this.useAck) {
      this.events.push(...events);
      return { status: 200, body: { text: 'Success', code: 0 } };
    }
    const ackId = this.nextAckId++;
    const lost = this.loseUnacknowledged > 0;
    if (lost) this.loseUnacknowledged -= 1;
    const batches = this.pending.get(channel ?? '') ?? [];
    batches[ackId] = { at: Date.now(), events, lost };
    this.pending.set(channel ?? '', batches);
    return { status: 200, body: { text: 'Success', code: 0, ackId } };
  }

  private ack(channel: string, body: Buffer): Answer {
    const { acks } = JSON.parse(body.toString() || '{}') as { acks?: number[] };
    if (!Array.isArray(acks)) return { status: 400, body: { text: 'Invalid data format', code: 6 } };
    const batches = this.pending.get(channel) ?? [];
    const done = this.acked.get(channel) ?? new Set<number>();
    this.acked.set(channel, done);
    const answer: Record<string, boolean> = {};
    for (const id of acks) {
      const batch = batches[id];
      if (batch && !batch.lost && Date.now() - batch.at >= this.ackDelayMs && !done.has(id)) {
        done.add(id);
        this.events.push(...batch.events);
      }
      answer[String(id)] = done.has(id);
    }
    return { status: 200, body: { acks: answer } };
  }
}

/** Where the first JSON object in the text ends (just past its closing brace), or -1. */
function endOfObject(text: string): number {
  if (text[0] !== '{') return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}
