import { Metrics } from '@gatehouse/observability';
import express from 'express';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdmissionGate } from './admission-gate';
import { admissionFront, AdmissionMetrics, AdmissionMiddleware, isGated } from './admission.middleware';

describe('admission: admissionFront, then the body parser, then AdmissionMiddleware', () => {
  let server: Server;
  let base: string;
  let metrics: Metrics;
  let held: (() => void)[];
  let parsed: number;

  beforeEach(async () => {
    const gate = new AdmissionGate({ targetMs: 250, minLimit: 1, maxLimit: 1, initialLimit: 1, maxQueue: 0, queueTimeoutMs: 50 });
    metrics = new Metrics('gateway');
    held = [];
    parsed = 0;
    const app = express();
    const admissionMetrics = new AdmissionMetrics(gate, metrics);
    app.use(admissionFront(gate, admissionMetrics, metrics));
    // What Nest puts behind it: the body parser, then (on the API) AdmissionMiddleware, then the routes.
    const middleware = new AdmissionMiddleware(gate, admissionMetrics);
    app.use(express.json(), (_req, _res, next) => (parsed++, next()));
    app.use('/api/v1/requests', (req, res, next) => middleware.use(req, res, next));
    const hold = (_req: express.Request, res: express.Response) => held.push(() => res.status(201).json({ ok: true }));
    app.post('/api/v1/requests', hold);
    app.get('/api/v1/audit/export', hold);
    app.get('/healthz', (_req, res) => res.send('ok'));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const release of held) release();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (body: string, headers: Record<string, string> = {}) => fetch(`${base}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const waitForHeld = async (n: number) => {
    while (held.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('turns a request away at the limit with 503, Retry-After and why, before reading or parsing its body', async () => {
    const first = post('{"reason":"first"}');
    await waitForHeld(1);
    // Not even valid JSON: turned away as busy, not refused as bad input, since it is never parsed.
    const shed = await post('{not json', { 'x-correlation-id': '6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c' });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.headers.get('x-correlation-id')).toBe('6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c');
    expect(await shed.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', code: 'overloaded', message: 'Gatehouse is busy (1 requests in progress, limit 1); retry in a second', retryAfterSeconds: 1 });
    expect(parsed).toBe(1);
    const figures = await metrics.registry.metrics();
    expect(figures).toMatch(/gatehouse_admission_shed_total\{service="gateway"\} 1/);
    expect(figures).toMatch(/gatehouse_http_requests_total\{method="POST",route="unmatched",status="503",service="gateway"\} 1/);

    // The slot comes back when the answer is sent: the next request is let in and parsed.
    (held.shift() as () => void)();
    expect((await first).status).toBe(201);
    const next = post('{"reason":"next"}');
    await waitForHeld(1);
    expect(parsed).toBe(2);
    (held.shift() as () => void)();
    expect((await next).status).toBe(201);
  });

  it('keeps the connection of a request it turned away, its unread body discarded', async () => {
    const first = post('{"reason":"first"}');
    await waitForHeld(1);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (path: string, body: string) =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const req = request(`${base}${path}`, { agent, method: path === '/healthz' ? 'GET' : 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const shed = await send('/api/v1/requests', JSON.stringify({ reason: 'x'.repeat(64 * 1024) }));
    const after = await send('/healthz', '');
    expect([shed.status, after.status]).toEqual([503, 200]);
    expect(after.socket).toBe(shed.socket);
    agent.destroy();
    (held.shift() as () => void)();
    await first;
  });

  it('gives back the slot of a request let in from the queue after its caller went away', async () => {
    const gate = new AdmissionGate({ targetMs: 250, minLimit: 1, maxLimit: 1, initialLimit: 1, maxQueue: 1, queueTimeoutMs: 300 });
    const app = express();
    const fresh = new Metrics('gateway');
    const admissionMetrics = new AdmissionMetrics(gate, fresh);
    const middleware = new AdmissionMiddleware(gate, admissionMetrics);
    app.use(admissionFront(gate, admissionMetrics, fresh), (req, res, next) => middleware.use(req, res, next), (_req, res) => void held.push(() => res.status(201).json({ ok: true })));
    const queueing = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => queueing.once('listening', resolve));
    const url = `http://127.0.0.1:${(queueing.address() as AddressInfo).port}/api/v1/requests`;
    try {
      const first = fetch(url, { method: 'POST' });
      await waitForHeld(1);
      // Queued behind the first, then abandoned by its caller.
      const gone = request(url, { method: 'POST' });
      gone.on('error', () => undefined);
      gone.end();
      while (gate.queued < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      gone.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      (held.shift() as () => void)();
      expect((await first).status).toBe(201);
      // The abandoned one got the slot and gave it straight back: the next caller is let in.
      const next = fetch(url, { method: 'POST' });
      await waitForHeld(1);
      expect(gate.inFlight).toBe(1);
      (held.shift() as () => void)();
      expect((await next).status).toBe(201);
    } finally {
      queueing.closeAllConnections();
      await new Promise((resolve) => queueing.close(resolve));
    }
  });

  it('takes the slot once the body is in: a slow upload neither holds one nor keeps others out', async () => {
    const [first, rest] = ['{"reason":', '"slow"}'];
    const slow = request(`${base}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(first + rest)) } });
    slow.on('error', () => undefined);
    const slowAnswer = new Promise<number>((resolve) => slow.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))));
    slow.write(first);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Still uploading: another request is let in (the limit is one).
    const other = post('{"reason":"other"}');
    await waitForHeld(1);
    (held.shift() as () => void)();
    expect((await other).status).toBe(201);
    slow.end(rest);
    await waitForHeld(1);
    (held.shift() as () => void)();
    expect(await slowAnswer).toBe(201);
  });

  it('does not count what is not the gated API: the streamed exports, probes', async () => {
    const first = post('{"reason":"first"}');
    await waitForHeld(1);
    const exporting = fetch(`${base}/api/v1/audit/export`);
    await waitForHeld(2);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    for (const release of held.splice(0)) release();
    expect((await exporting).status).toBe(201);
    expect((await first).status).toBe(201);
  });
});

describe('isGated', () => {
  it('gates the API but for its streamed exports, as routing matches them (any case, a trailing slash)', () => {
    expect(isGated('/api/v1/requests')).toBe(true);
    expect(isGated('/API/V1/Requests/')).toBe(true);
    expect(isGated('/api/v1/audit/export')).toBe(false);
    expect(isGated('/api/v1/audit/Export/')).toBe(false);
    expect(isGated('/api/v1/audit/access-review')).toBe(false);
    expect(isGated('/slack/events')).toBe(false);
    expect(isGated('/healthz')).toBe(false);
  });
});
