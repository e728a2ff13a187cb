import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { AuditDestination } from '@gatehouse/config';
import { DestinationError } from '../destination-error';
import type { Outgoing, Sink } from './sink';

type Syslog = Extract<AuditDestination, { type: 'syslog' }>;

/** RFC 5424 §6.3.3: inside a PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** RFC 5424 §6.2.1 header fields: printable US-ASCII, within their lengths, "-" when empty. */
const printable = (value: string, max: number) => value.replace(/[^!-~]/g, '_').slice(0, max) || '-';

/**
 * One record as an RFC 5424 message: severity informational (notice for a refusal or failure),
 * the record type as MSGID, the record's identity as structured data, the line as the UTF-8 MSG.
 */
export function syslogMessage({ record, line, by, failed }: Outgoing, options: { facility: number; appName: string; structuredDataId: string; host: string; procId: string }): string {
  const pri = options.facility * 8 + (failed ? 5 : 6);
  const params: [string, string][] = [
    ['id', record.id],
    ['type', record.type],
    ['subject', record.subject],
    ['sequence', record.sequence],
    ...(record.hash ? [['hash', record.hash] as [string, string]] : []),
    ['actor', by],
  ];
  const sd = `[${options.structuredDataId} ${params.map(([k, v]) => `${k}="${escapeParamValue(v)}"`).join(' ')}]`;
  return `<${pri}>1 ${record.time} ${printable(options.host, 255)} ${printable(options.appName, 48)} ${printable(options.procId, 128)} ${printable(record.type, 32)} ${sd} \uFEFF${line}`;
}

/** RFC 6587 §3.4.1 octet counting: the message's length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}

/**
 * Syslog over TCP or TLS (RFC 5425), octet-counted frames on one long-lived connection. TCP has
 * no acknowledgement of its own: a batch counts as delivered once the socket has taken it, and a
 * broken connection sends the batch again on a new one (at-least-once).
 */
export class SyslogSink implements Sink {
  private socket?: Promise<Socket>;
  private readonly host = hostname();

  constructor(private readonly destination: Syslog) {}

  async send(batch: readonly Outgoing[]): Promise<void> {
    if (batch.length === 0) return;
    const d = this.destination;
    const frames = Buffer.concat(batch.map((outgoing) => octetCounted(syslogMessage(outgoing, { facility: d.facility, appName: d.appName, structuredDataId: d.structuredDataId, host: this.host, procId: String(process.pid) }))));
    try {
      const socket = await this.connect();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the write did not finish within ${d.timeoutMs} ms`)), d.timeoutMs);
        socket.write(frames, (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
      });
    } catch (error) {
      await this.close();
      throw new DestinationError('retry', `syslog ${d.host}:${d.port}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    const open = await socket?.catch(() => undefined);
    if (open && !open.destroyed) await new Promise<void>((resolve) => open.end(() => resolve()));
    open?.destroy();
  }

  private connect(): Promise<Socket> {
    this.socket ??= new Promise<Socket>((resolve, reject) => {
      const d = this.destination;
      const socket =
        d.protocol === 'tls'
          ? tlsConnect({ host: d.host, port: d.port, servername: d.tls?.serverName ?? d.host, ...(d.tls?.caFile ? { ca: readFileSync(d.tls.caFile) } : {}) })
          : tcpConnect({ host: d.host, port: d.port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${d.timeoutMs} ms`)), d.timeoutMs);
      socket.once(d.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.setKeepAlive(true);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      // A connection the server closes is opened again on the next batch.
      socket.on('close', () => {
        if (this.socket && socket.destroyed) this.socket = undefined;
      });
      socket.on('error', () => undefined);
    });
    return this.socket;
  }
}
