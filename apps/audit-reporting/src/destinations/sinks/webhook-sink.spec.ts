import { parseAuditDestinations } from '@gatehouse/config';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { DestinationError } from '../destination-error';
import { WebhookSink } from './webhook-sink';

/**
 * A receiver that answers 413 as soon as it has a request's headers, before it reads the body
 * (as a proxy with a body limit may). With `readLater`, it reads what it was sent of the body a
 * moment later, until the sender hangs up; without, it never reads on.
 */
function refusingReceiver({ readLater }: { readLater: boolean }): Promise<{ server: Server; port: number; bodies: Promise<Buffer>[] }> {
  const bodies: Promise<Buffer>[] = [];
  const server = createServer((socket: Socket) => {
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onHead);
      socket.pause();
      socket.on('error', () => undefined);
      const body: Buffer[] = [head.subarray(end + 4)];
      socket.write('HTTP/1.1 413 Payload Too Large\r\ncontent-length: 9\r\n\r\ntoo large');
      if (!readLater) return;
      bodies.push(
        new Promise((resolve) => {
          setTimeout(() => {
            const done = () => resolve(Buffer.concat(body));
            socket.on('data', (more: Buffer) => body.push(more));
            socket.on('end', done);
            socket.on('close', done);
            socket.resume();
          }, 100);
        }),
      );
    };
    socket.on('data', onHead);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, bodies })));
}

function webhookSink(port: number): WebhookSink {
  // A minute's timeout: a send that settles within the test did not wait for it.
  const [destination] = parseAuditDestinations(`destinations:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:${port}/audit\n    body: ndjson\n    timeoutMs: 60000\n`).destinations;
  return new WebhookSink(destination as Extract<typeof destination, { type: 'webhook' }>);
}

/** A batch larger than the loopback socket's buffers: most of it is still unsent when the 413 arrives. */
const batch = (n: number) => Array.from({ length: 8000 }, (_, i) => `{"batch":${n},"i":${i},"pad":"${String(n).repeat(4000)}"}`);

describe('WebhookSink against a receiver that answers before it reads the body', () => {
  it('sends no byte of the next batch in the body it refused, though one buffer serves both', async () => {
    const { server, port, bodies } = await refusingReceiver({ readLater: true });
    try {
      const sink = webhookSink(port);
      const first = batch(1);
      await expect(sink.sendLines(first)).rejects.toThrow(DestinationError);
      await expect(sink.sendLines(batch(2))).rejects.toThrow(DestinationError);
      const [refused] = (await Promise.all(bodies)) as Buffer[];
      const sent = Buffer.from(`${first.join('\n')}\n`);
      expect(refused?.length).toBeGreaterThan(0);
      expect(refused?.equals(sent.subarray(0, refused.length))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('takes the answer without waiting for the receiver to read the rest', async () => {
    const { server, port } = await refusingReceiver({ readLater: false });
    try {
      await expect(webhookSink(port).sendLines(batch(1))).rejects.toThrow(expect.objectContaining({ kind: 'split' }));
    } finally {
      server.close();
    }
  }, 15_000);
});
