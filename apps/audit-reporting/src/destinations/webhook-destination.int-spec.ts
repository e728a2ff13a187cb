import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { parseAuditDestinations } from '@gatehouse/config';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { runTs, serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * A batched webhook destination against a real HTTP receiver that checks the HMAC and the
 * bearer token and misbehaves as real ones do: 5xx, 429 with Retry-After, 413 for big batches,
 * a 400 for one record it will never take, then 401 while its token is wrong. Every record
 * arrives except the refused one, which is quarantined with the reason.
 */
describe('audit records shipped to a webhook', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let db: Client;
  let server: Server;
  const logger = createLogger({ service: 'test', level: 'silent' });
  const secret = 'hook-secret-for-tests';
  const received = new Set<string>();
  const statuses: number[] = [];
  /** What the receiver does next: answers queued here first, then its rules. */
  const script: { status: number; headers?: Record<string, string> }[] = [];
  /** Every record id in every batch that got past the receiver's checks, in order. */
  const tried: string[] = [];
  let destinations: ReturnType<typeof parseAuditDestinations>['destinations'];
  const start = async () => {
    app = await startAuditReporting({ ...testEnv.env, AUDIT_DESTINATION_RETRY_MAX_MS: '500' }, logger, destinations);
  };
  let token = 'right-token';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const answer = (status: number, headers: Record<string, string> = {}) => {
          statuses.push(status);
          res.writeHead(status, headers).end(status >= 400 ? JSON.stringify({ error: `status ${status}` }) : '');
        };
        const expected = `sha256=${createHmac('sha256', secret).update(`${req.headers['x-gatehouse-timestamp']}.${body}`).digest('hex')}`;
        const given = String(req.headers['x-gatehouse-signature'] ?? '');
        if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return answer(400);
        if (req.headers['authorization'] !== `Bearer ${token}`) return answer(401);
        const next = script.shift();
        if (next) return answer(next.status, next.headers);
        const records = body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; data: { unmapped: { gatehouse: { details: { reason: string } } } } });
        for (const r of records) tried.push(r.id);
        if (records.length > 4) return answer(413);
        if (records.some((r) => r.data.unmapped.gatehouse.details.reason === 'INC-POISON')) return answer(400);
        for (const r of records) received.add(r.id);
        answer(200);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`;
    process.env['AUDIT_TEST_HOOK_SECRET'] = secret;
    process.env['AUDIT_TEST_HOOK_TOKEN'] = 'right-token';
    destinations = parseAuditDestinations(`destinations:
  - name: siem-hook
    type: webhook
    url: ${url}
    body: ndjson
    batchSize: 10
    hmacSecretEnv: AUDIT_TEST_HOOK_SECRET
    auth:
      bearerTokenEnv: AUDIT_TEST_HOOK_TOKEN
`).destinations;
    testEnv = await serviceTestEnv('audithook');
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    db = new Client({ connectionString: testEnv.database.url });
    await db.connect();
    // Misbehaving from the first batch: two 5xx, then 429 asking for a second.
    script.push({ status: 503 }, { status: 502 }, { status: 429, headers: { 'retry-after': '1' } });
    await start();
  });
  afterAll(async () => {
    await app?.close();
    await db?.end();
    await connection?.close();
    await testEnv?.database.drop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const publish = async (reasons: string[]) => {
    const events = reasons.map((reason) => accessRequested(undefined, reason));
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    return events;
  };
  const cursor = async () =>
    (await db.query(`SELECT delivered::int AS delivered, state, last_error FROM audit.destination_cursors WHERE name = 'siem-hook'`)).rows[0] as { delivered: number; state: string; last_error: string | null };

  it('delivers through 5xx, 429 and 413, and quarantines the one record refused for good', async () => {
    const events = await publish(Array.from({ length: 23 }, (_, i) => (i === 11 ? 'INC-POISON' : `INC-${i}`)));
    const poison = events[11]?.id as string;
    await waitFor(() => events.every((e) => e.id === poison || received.has(e.id)), { what: 'the 22 good records at the receiver', timeoutMs: 40000 });
    expect(received.has(poison)).toBe(false);
    expect(statuses).toEqual(expect.arrayContaining([503, 502, 429, 413, 400, 200]));
    // The chain's order is not the publish order (other keys, other partitions): the poison may
    // be the last record, set aside just after the good ones arrive.
    const quarantined = async () => (await db.query(`SELECT record_id, reason FROM audit.destination_quarantine WHERE name = 'siem-hook'`)).rows;
    await waitFor(async () => (await quarantined()).length > 0, { what: 'the refused record quarantined' });
    expect(await quarantined()).toEqual([{ record_id: poison, reason: expect.stringContaining('HTTP 400') }]);
    await waitFor(async () => (await cursor()).delivered === 22, { what: '22 delivered on the cursor' });

    // Its state, for Prometheus and for the admin at a terminal.
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('gatehouse_audit_destination_lag_records{destination="siem-hook",service="audit-reporting"} 0');
    expect(metrics).toContain('gatehouse_audit_destination_delivered_records{destination="siem-hook",service="audit-reporting"} 22');
    expect(metrics).toContain('gatehouse_audit_destination_quarantined_records{destination="siem-hook",service="audit-reporting"} 1');
    const cli = runTs('apps/gateway/src/cli/main.ts', ['audit', 'destinations'], { DATABASE_URL: testEnv.database.url });
    let shown = '';
    cli.stdout?.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    expect(await new Promise((resolve) => cli.once('exit', resolve))).toBe(0);
    expect(shown).toContain('✓ active  siem-hook: 0 behind, 22 delivered');
    expect(shown).toContain('1 quarantined');
  });

  it('pauses while the receiver refuses its token, loses nothing, and resumes once it is fixed', async () => {
    token = 'rotated-token';
    const events = await publish(['INC-100', 'INC-101', 'INC-102']);
    await waitFor(async () => (await cursor()).state === 'paused', { what: 'the destination paused', timeoutMs: 20000 });
    expect((await cursor()).last_error).toContain('HTTP 401');
    expect(events.some((e) => received.has(e.id))).toBe(false);
    process.env['AUDIT_TEST_HOOK_TOKEN'] = 'rotated-token';
    await waitFor(() => events.every((e) => received.has(e.id)), { what: 'the 3 records after the fix', timeoutMs: 20000 });
    await waitFor(async () => (await cursor()).state === 'active', { what: 'the destination active again' });
  });

  it('after a restart, drains the backlog from the table and sets a lone refused record aside on its first refusal', async () => {
    // The receiver is down while a record it will never take is recorded, and audit-reporting
    // restarts: what it had at hand is gone, so the record is read back from the table.
    script.push(...Array.from({ length: 100 }, () => ({ status: 503 })));
    const [poison] = await publish(['INC-POISON']);
    const id = poison?.id as string;
    await waitFor(async () => (await db.query(`SELECT 1 FROM audit.records WHERE id = $1`, [id])).rowCount === 1, { what: 'the record in the chain' });
    await app.close();
    script.length = 0;
    const before = tried.length;
    await start();
    await waitFor(async () => (await db.query(`SELECT 1 FROM audit.destination_quarantine WHERE name = 'siem-hook' AND record_id = $1`, [id])).rowCount === 1, { what: 'the record quarantined', timeoutMs: 20000 });
    // Sent as the page it was read in, then on its own to be set aside: not halved page by page.
    expect(tried.slice(before).filter((t) => t === id)).toHaveLength(2);
  });
});
