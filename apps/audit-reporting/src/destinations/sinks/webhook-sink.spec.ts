import { parseAuditDestinations } from '@gatehouse/config';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DestinationError } from '../destination-error';
import { WebhookSink } from './webhook-sink';

/**
 * A receiver that answers 413 as soon as it has a request's headers, and only then — a moment
 * later — reads the body it was sent (as a proxy with a body limit may): what it reads must be
 * the batch it refused, not bytes of the batch sent after the answer.
 */
function refusingReceiver(): Promise<{ server: Server; port: number; bodies: Promise<Buffer>[] }> {
  const bodies: Promise<Buffer>[] = [];
  const server = createServer((socket: Socket) => {
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onHead);
      socket.pause();
      const length = Number(/content-length: (\d+)/i.exec(head.subarray(0, end).toString())?.[1]);
      const body: Buffer[] = [head.subarray(end + 4)];
      socket.write('HTTP/1.1 413 Payload Too Large\r\ncontent-length: 9\r\nconnection: close\r\n\r\ntoo large');
      bodies.push(
        new Promise((resolve) => {
          setTimeout(() => {
            socket.on('data', (more: Buffer) => {
              body.push(more);
              const got = Buffer.concat(body);
              if (got.length >= length) {
                resolve(got.subarray(0, length));
                socket.end();
              }
            });
            socket.resume();
          }, 100);
        }),
      );
    };
    socket.on('data', onHead);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, bodies })));
}

describe('WebhookSink', () => {
  it('keeps a refused body intact until it is sent, though its buffer serves the next batch', async () => {
    const { server, port, bodies } = await refusingReceiver();
    try {
      const [destination] = parseAuditDestinations(`destinations:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:${port}/audit\n    body: ndjson\n`).destinations;
      const sink = new WebhookSink(destination as Extract<typeof destination, { type: 'webhook' }>);
      // Larger than the loopback socket's buffers: most of it is still unsent when the 413 arrives.
      const first = Array.from({ length: 4000 }, (_, i) => `{"batch":1,"n":${i},"pad":"${'a'.repeat(2000)}"}`);
      const second = Array.from({ length: 4000 }, (_, i) => `{"batch":2,"n":${i},"pad":"${'b'.repeat(2000)}"}`);
      await expect(sink.sendLines(first)).rejects.toThrow(DestinationError);
      await expect(sink.sendLines(second)).rejects.toThrow(DestinationError);
      const [refused] = await Promise.all(bodies);
      expect((refused as Buffer).equals(Buffer.from(`${first.join('\n')}\n`))).toBe(true);
    } finally {
      server.close();
    }
  });
});
