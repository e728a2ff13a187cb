import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { post } from './http-post';

/** A loopback receiver; `answer` decides what it does with each request. */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`, server };
}

describe('post', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('says the body was all sent when the receiver read it before answering', async () => {
    let received = 0;
    const r = await receiver((req, res) => {
      req.on('data', (chunk: Buffer) => (received += chunk.length));
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    server = r.server;
    const answer = await post(r.url, {}, Buffer.alloc(4 << 20, 'a'), { timeoutMs: 10_000 });
    expect(answer.status).toBe(200);
    expect(received).toBe(4 << 20);
    expect(answer.bodySent).toBe(true);
  });

  it('says the body was not all sent when the answer came first (the socket may still be reading the buffer)', async () => {
    const r = await receiver((req, res) => {
      // Answers at once and reads the body only afterwards: more than the loopback socket holds.
      req.pause();
      res.writeHead(413).end('too large', () => setTimeout(() => req.resume(), 200));
    });
    server = r.server;
    const answer = await post(r.url, {}, Buffer.alloc(64 << 20, 'b'), { timeoutMs: 10_000 });
    expect(answer.status).toBe(413);
    expect(answer.bodySent).toBe(false);
  });
});
