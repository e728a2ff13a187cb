import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The body as sent, gunzipped when `Content-Encoding: gzip` (unless the fake keeps it). */
  body: Buffer;
  status: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * What the log-destination fakes share: a real HTTP (or HTTPS) server on a free port, the
 * requests it got, and answers queued ahead of its own rules (`failNext`) so a test can make it
 * misbehave as the real service does — 5xx, 429 with Retry-After, a refused token.
 */
export abstract class FakeHttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Answer[] = [];
  private server?: Server;
  /** Bodies larger than this (before decompression) get 413, as the real service's limit. */
  maxBodyBytes = Number.POSITIVE_INFINITY;
  /** While true, every request gets 503 (an outage). */
  down = false;
  /** Whether `Content-Encoding: gzip` is a transfer to undo (log intakes) or the stored object's own (S3). */
  protected decodeGzip = true;

  protected constructor(private readonly tls?: { key: string; cert: string }) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error(`${this.constructor.name} is not started`);
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.receive(req, res);
    this.server = this.tls ? createHttpsServer(this.tls, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next requests get these answers, whatever they hold. */
  failNext(...answers: Answer[]): void {
    this.script.push(...answers);
  }

  protected abstract answer(req: IncomingMessage, path: string, body: Buffer): Answer;

  /** How this service answers an outage and a body over its limit. */
  protected unavailable(): Answer {
    return { status: 503, body: { error: 'service unavailable' } };
  }

  protected tooLarge(): Answer {
    return { status: 413, body: { error: 'request entity too large' } };
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let answer: Answer;
    let body = raw;
    if (raw.length > this.maxBodyBytes) answer = this.tooLarge();
    else if (this.down) answer = this.unavailable();
    else {
      try {
        body = this.decodeGzip && req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        answer = this.script.shift() ?? this.answer(req, req.url ?? '/', body);
      } catch (error) {
        answer = { status: 400, body: { error: `cannot read the body: ${(error as Error).message}` } };
      }
    }
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, status: answer.status });
    const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(text);
  }
}
