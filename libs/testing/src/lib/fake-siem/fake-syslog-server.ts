import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface SyslogMessage {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  /** SD-ID → param → value, unescaped. */
  structuredData: Record<string, Record<string, string>>;
  /** The MSG, without its BOM. */
  message: string;
  bom: boolean;
}

const HEADER = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) /;

/** Parses RFC 5424 STRUCTURED-DATA at the start of `text`: the elements, and what follows. */
export function parseStructuredData(text: string): { data: Record<string, Record<string, string>>; rest: string } {
  if (text.startsWith('- ')) return { data: {}, rest: text.slice(2) };
  const data: Record<string, Record<string, string>> = {};
  let i = 0;
  while (text[i] === '[') {
    const idEnd = text.slice(i + 1).search(/[ \]]/) + i + 1;
    const id = text.slice(i + 1, idEnd);
    const params: Record<string, string> = {};
    i = idEnd;
    while (text[i] === ' ') {
      const eq = text.indexOf('="', i);
      if (eq < 0) throw new Error(`SD-PARAM without ="…" in [${id}]`);
      const name = text.slice(i + 1, eq);
      let value = '';
      let j = eq + 2;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && ['"', '\\', ']'].includes(text[j + 1] ?? '')) j++;
        else if (text[j] === ']') throw new Error(`unescaped "]" in the value of ${name}`);
        value += text[j];
      }
      if (text[j] !== '"') throw new Error(`unterminated value of ${name}`);
      params[name] = value;
      i = j + 1;
    }
    if (text[i] !== ']') throw new Error(`SD-ELEMENT ${id} not closed`);
    data[id] = params;
    i += 1;
  }
  if (text[i] !== ' ' && i < text.length) throw new Error('no space after STRUCTURED-DATA');
  return { data, rest: text.slice(i + 1) };
}

/** Parses one RFC 5424 message; throws naming what is wrong. */
export function parseSyslog5424(text: string): SyslogMessage {
  const header = HEADER.exec(text);
  if (!header) throw new Error(`not an RFC 5424 header: ${text.slice(0, 80)}`);
  const [, pri, version, timestamp, hostname, appName, procId, msgId] = header as unknown as string[];
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(timestamp as string)) throw new Error(`TIMESTAMP ${timestamp} is not RFC 3339 as RFC 5424 restricts it`);
  const { data, rest } = parseStructuredData(text.slice(header[0].length));
  const bom = rest.startsWith('\uFEFF');
  return {
    pri: Number(pri),
    facility: Math.floor(Number(pri) / 8),
    severity: Number(pri) % 8,
    version: Number(version),
    timestamp: timestamp as string,
    hostname: hostname as string,
    appName: appName as string,
    procId: procId as string,
    msgId: msgId as string,
    structuredData: data,
    message: bom ? rest.slice(1) : rest,
    bom,
  };
}

/**
 * A fake syslog collector over TCP or TLS (RFC 5425): reads RFC 6587 octet-counted frames, parses
 * each as RFC 5424 and keeps it (or the reason it could not), and can drop every connection to
 * act as a collector restarting.
 */
export class FakeSyslogServer {
  readonly messages: SyslogMessage[] = [];
  readonly problems: string[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  connections = 0;

  constructor(private readonly tls?: { key: string; cert: string }) {}

  get port(): number {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeSyslogServer is not started');
    return address.port;
  }

  async start(): Promise<this> {
    const onSocket = (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const space = buffer.indexOf(0x20);
          if (space < 0) return;
          const length = Number(buffer.subarray(0, space).toString('ascii'));
          if (!Number.isInteger(length) || length <= 0 || space > 10) {
            this.problems.push(`not an octet count: ${buffer.subarray(0, Math.min(20, buffer.length)).toString()}`);
            socket.destroy();
            return;
          }
          if (buffer.length < space + 1 + length) return;
          const frame = buffer.subarray(space + 1, space + 1 + length).toString('utf8');
          buffer = buffer.subarray(space + 1 + length);
          try {
            this.messages.push(parseSyslog5424(frame));
          } catch (error) {
            this.problems.push((error as Error).message);
          }
        }
      });
    };
    this.server = this.tls ? createTlsServer(this.tls, onSocket) : createTcpServer(onSocket);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Closes every open connection (the sender must connect again). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
