import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** Socket Mode envelope types, as Slack names them. */
export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

/** What came back for an envelope: the ack's payload, or nothing within Slack's 3 seconds. */
export type EnvelopeAnswer = { acked: true; payload: Record<string, unknown> | undefined; connection: number } | { acked: false };

interface Connection {
  id: number;
  socket: WebSocket;
  pinger: NodeJS.Timeout;
}

const ACK_WITHIN_MS = 3000;

/**
 * Slack's side of Socket Mode: `apps.connections.open` hands out a single-use WebSocket URL;
 * the socket says `hello`, then carries envelopes (`{ envelope_id, type, payload,
 * accepts_response_payload, retry_attempt, retry_reason }`) that the app must acknowledge with
 * `{ envelope_id, payload }` within 3 s. Like Slack, it pings, spreads envelopes over the
 * app's open connections, and can tell them to go (`disconnect` with a reason) or drop them.
 */
export class FakeSocketMode {
  private readonly tickets = new Set<string>();
  private readonly connections: Connection[] = [];
  private readonly waiting = new Map<string, (answer: EnvelopeAnswer) => void>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private next = 0;
  private seq = 0;

  constructor(private readonly baseUrl: () => string) {}

  /** Serves the WebSocket upgrade on the fake's HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** `apps.connections.open`: a URL good for one connection. */
  openUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${this.baseUrl().replace(/^http/, 'ws')}link/?ticket=${ticket}`;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.connections.length;
  }

  /**
   * Sends an envelope to the next open connection (round robin, or the one named) and resolves
   * with its acknowledgement, or `{ acked: false }` after 3 s.
   */
  async send(type: EnvelopeType, payload: Record<string, unknown>, options: { retryAttempt?: number; retryReason?: string; connection?: number } = {}): Promise<EnvelopeAnswer> {
    const open = options.connection === undefined ? this.connections : this.connections.filter((c) => c.id === options.connection);
    if (open.length === 0) throw new Error('FakeSocketMode: no app connection is open');
    const connection = open[this.next++ % open.length] as Connection;
    const envelopeId = randomUUID();
    const answer = new Promise<EnvelopeAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        resolve({ acked: false });
      }, ACK_WITHIN_MS);
      this.waiting.set(envelopeId, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
    connection.socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: options.retryAttempt ?? 0,
        retry_reason: options.retryReason ?? '',
      }),
    );
    return answer;
  }

  /**
   * Sends what Slack would have posted over HTTP (a slash command's form, an interaction's
   * `payload`, an Events API callback) as the Socket Mode envelope Slack sends instead.
   */
  deliver(post: { body: string; contentType: string }, options: { retryAttempt?: number; retryReason?: string; connection?: number } = {}): Promise<EnvelopeAnswer> {
    const { type, payload } = envelopeOf(post);
    return this.send(type, payload, options);
  }

  /** Ids of the open connections, oldest first. */
  connectionIds(): number[] {
    return this.connections.map((c) => c.id);
  }

  /** Tells every connection to go, as Slack does before recycling (`refresh_requested`, `warning`) or when Socket Mode is turned off (`link_disabled`). */
  disconnectAll(reason: 'refresh_requested' | 'warning' | 'link_disabled'): void {
    for (const { socket } of this.connections) socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-socket-mode' } }));
  }

  /** Cuts every connection without a word, as a network failure would. */
  dropAll(): void {
    for (const { socket } of [...this.connections]) socket.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: Connection = { id: ++this.seq, socket, pinger: setInterval(() => socket.ping(), 5000) };
    this.connections.push(connection);
    socket.on('message', (data) => this.onMessage(connection, data.toString()));
    socket.on('close', () => {
      clearInterval(connection.pinger);
      const index = this.connections.indexOf(connection);
      if (index >= 0) this.connections.splice(index, 1);
    });
    socket.send(JSON.stringify({ type: 'hello', num_connections: this.connections.length, debug_info: { host: 'fake-socket-mode' }, connection_info: { app_id: 'A0TEST' } }));
  }

  private onMessage(connection: Connection, raw: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (typeof message.envelope_id !== 'string') return;
    const resolve = this.waiting.get(message.envelope_id);
    if (!resolve) return;
    this.waiting.delete(message.envelope_id);
    const payload = typeof message.payload === 'object' && message.payload !== null && Object.keys(message.payload).length > 0 ? (message.payload as Record<string, unknown>) : undefined;
    resolve({ acked: true, payload, connection: connection.id });
  }
}

/** The envelope Slack sends over Socket Mode for what it would otherwise post over HTTP. */
export function envelopeOf(post: { body: string; contentType: string }): { type: EnvelopeType; payload: Record<string, unknown> } {
  if (post.contentType.includes('application/json')) return { type: 'events_api', payload: JSON.parse(post.body) as Record<string, unknown> };
  const form = new URLSearchParams(post.body);
  const payload = form.get('payload');
  if (payload !== null) return { type: 'interactive', payload: JSON.parse(payload) as Record<string, unknown> };
  return { type: 'slash_commands', payload: Object.fromEntries(form.entries()) };
}
