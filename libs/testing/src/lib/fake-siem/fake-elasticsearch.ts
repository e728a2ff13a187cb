import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FakeHttpReceiver, type Answer } from './http-receiver';

type ItemError = { status: number; error: { type: string; reason: string } };

/**
 * A fake Elasticsearch / OpenSearch `_bulk` endpoint: NDJSON that must end with a newline,
 * `create` and `index` actions, 409 `version_conflict_engine_exception` for a `create` whose
 * `_id` exists, per-item answers with `errors: true`, and API-key or basic auth answering 401
 * `security_exception`. Tests make items fail: `rejectWhen` (400 `mapper_parsing_exception`,
 * for good) and `throttleItems` (429 `es_rejected_execution_exception`, for now).
 */
export class FakeElasticsearch extends FakeHttpReceiver {
  readonly apiKey = Buffer.from(`${randomBytes(6).toString('hex')}:${randomBytes(12).toString('hex')}`).toString('base64');
  /** The Authorization header's credentials required (undefined: none). */
  requireApiKey = true;
  /** index → _id → document */
  readonly indices = new Map<string, Map<string, unknown>>();
  /** A document this says yes to is refused for good (as a mapping error). */
  rejectWhen: (doc: Record<string, unknown>) => boolean = () => false;
  /** The next N items are refused with 429. */
  throttleItems = 0;

  constructor(tls?: { key: string; cert: string }) {
    super(tls);
  }

  docs(index: string): Map<string, unknown> {
    return this.indices.get(index) ?? new Map();
  }

  protected override unavailable(): Answer {
    return { status: 503, body: { error: { type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];' }, status: 503 } };
  }

  protected override tooLarge(): Answer {
    return { status: 413, body: { error: { type: 'content_too_long_exception', reason: 'entity content is too long for the configured buffer limit' }, status: 413 } };
  }

  protected answer(req: IncomingMessage, url: string, body: Buffer): Answer {
    const path = url.split('?')[0] ?? '';
    const match = /^\/(?:([^/_][^/]*)\/)?_bulk$/.exec(path);
    if (!match || req.method !== 'POST') return { status: 405, body: { error: `Incorrect HTTP method for uri [${path}] and method [${req.method}]`, status: 405 } };
    if (this.requireApiKey && req.headers['authorization'] !== `ApiKey ${this.apiKey}`) {
      return {
        status: 401,
        headers: { 'www-authenticate': 'ApiKey' },
        body: { error: { type: 'security_exception', reason: `missing authentication credentials for REST request [${path}]` }, status: 401 },
      };
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/(x-ndjson|json)/.test(type)) return { status: 406, body: { error: `Content-Type header [${type}] is not supported`, status: 406 } };
    const text = body.toString('utf8');
    if (!text.endsWith('\n')) return { status: 400, body: { error: { type: 'illegal_argument_exception', reason: 'The bulk request must be terminated by a newline [\\n]' }, status: 400 } };
    const lines = text.split('\n').filter((l) => l.length > 0);
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i] as string) as Record<string, { _index?: string; _id?: string }>;
      const [op, meta] = Object.entries(action)[0] as [string, { _index?: string; _id?: string }];
      const index = meta._index ?? match[1] ?? '';
      const id = meta._id ?? randomBytes(10).toString('base64url');
      const doc = JSON.parse(lines[i + 1] ?? '{}') as Record<string, unknown>;
      const result = this.apply(op, index, id, doc);
      items.push({ [op]: { _index: index, _id: id, ...result } });
    }
    const errors = items.some((item) => (Object.values(item)[0] as { status: number }).status >= 300);
    return { status: 200, body: { took: 3, errors, items } };
  }

  private apply(op: string, index: string, id: string, doc: Record<string, unknown>): { status: number; result?: string; _version?: number } | ItemError {
    if (this.throttleItems > 0) {
      this.throttleItems -= 1;
      return { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' } };
    }
    if (this.rejectWhen(doc)) return { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [data] of type [object] in document' } };
    const docs = this.indices.get(index) ?? new Map<string, unknown>();
    this.indices.set(index, docs);
    if (op === 'create' && docs.has(id)) return { status: 409, error: { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists (current version [1])` } };
    const existed = docs.has(id);
    docs.set(id, doc);
    return { status: existed ? 200 : 201, result: existed ? 'updated' : 'created', _version: 1 };
  }
}
