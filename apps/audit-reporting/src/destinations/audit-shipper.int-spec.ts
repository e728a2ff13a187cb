import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { parseAuditDestinations } from '@gatehouse/config';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { TOPICS } from '@gatehouse/contracts';
import { serviceTestEnv, TopicReader, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * The file destination on the real broker and database: records of the types it asks for,
 * as CloudEvents JSON lines, in chain order, rotated by size, with nothing lost or repeated
 * across a restart of audit-reporting (its cursor is in PostgreSQL).
 */
describe('audit records shipped to a file destination', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication | undefined;
  let connection: KafkaConnection;
  let db: Client;
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-audit-'));
  const file = path.join(dir, 'audit.jsonl');
  const logger = createLogger({ service: 'test', level: 'silent' });
  const destinations = parseAuditDestinations(`destinations:
  - name: compliance-file
    type: file
    path: ${file}
    filter:
      types: [access.requested]
    rotate:
      maxBytes: 4096
  - name: audit-topic
    type: kafka
`).destinations;

  const start = async () => {
    app = await startAuditReporting(testEnv.env, logger, destinations);
  };
  const publish = async (type: 'access.requested' | 'access.cancelled', count: number) => {
    const events = Array.from({ length: count }, (_, i) => {
      const requestId = randomUUID();
      const actor = { kind: 'person' as const, channel: 'api' as const, person: { email: 'ada@example.com' } };
      return type === 'access.requested'
        ? accessRequested(requestId, `INC-${i}`)
        : createEnvelope('access.cancelled', requestId, { requestId, actor, status: 'CANCELLED' } as never, { source: 'approval' });
    });
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    return events.map((e) => e.id);
  };
  /** Every line of the file and its rotated parts, oldest first. */
  const shipped = () =>
    readdirSync(dir)
      .filter((f) => f.startsWith('audit.jsonl'))
      .sort((a, b) => (a === 'audit.jsonl' ? 1 : b === 'audit.jsonl' ? -1 : a.localeCompare(b)))
      .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { id: string; type: string; sequence: string; specversion: string; hash: string });

  beforeAll(async () => {
    testEnv = await serviceTestEnv('auditship');
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    db = new Client({ connectionString: testEnv.database.url });
    await start();
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await connection?.close();
    await app?.close();
    await testEnv?.database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships the records its filter takes, as CloudEvents lines in chain order, rotating by size', async () => {
    const requested = await publish('access.requested', 30);
    await publish('access.cancelled', 1);
    await waitFor(() => shipped().length === 30, { what: '30 lines shipped', timeoutMs: 30000 });
    const lines = shipped();
    expect(new Set(lines.map((l) => l.id))).toEqual(new Set(requested));
    expect(lines.every((l) => l.type === 'access.requested' && l.specversion === '1.0' && /^[0-9a-f]{64}$/.test(l.hash))).toBe(true);
    const order = lines.map((l) => Number(l.sequence));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(readdirSync(dir).length).toBeGreaterThan(1); // rotated at 4 KiB
    // The lines are written before the cursor commits: wait for the commit, then check its counts.
    const cursor = async () => (await db.query(`SELECT delivered::int AS delivered, failed::int AS failed FROM audit.destination_cursors WHERE name = 'compliance-file'`)).rows[0] as { delivered: number; failed: number } | undefined;
    await waitFor(async () => ((await cursor())?.delivered ?? 0) >= 30, { what: 'the file cursor to count 30 delivered', timeoutMs: 10000 });
    expect(await cursor()).toEqual({ delivered: 30, failed: 0 });
  });

  it('publishes every record to gatehouse.audit.v1 in CloudEvents binary mode, keyed by request', async () => {
    const chain = (await db.query(`SELECT record FROM audit.records ORDER BY seq`)).rows.map((r) => r.record as { id: string; type: string; subject: string; data: unknown });
    const reader = await new TopicReader(testEnv.brokers).start([`${testEnv.topicPrefix}${TOPICS.audit}`]);
    try {
      await waitFor(() => chain.every((r) => reader.messages.some((m) => m.headers['ce_id'] === r.id)), { what: 'every record on the audit topic', timeoutMs: 30000 });
      const first = chain[0] as { id: string; type: string; subject: string; data: unknown };
      const message = reader.messages.find((m) => m.headers['ce_id'] === first.id);
      expect(message?.key).toBe(first.subject);
      expect(message?.headers).toMatchObject({ ce_specversion: '1.0', ce_type: first.type, ce_subject: first.subject, ce_source: 'approval', 'content-type': 'application/json' });
      expect(message?.json()).toEqual(first.data);
    } finally {
      await reader.stop();
    }
  });

  it('carries on from its cursor after a restart: nothing lost, nothing sent twice', async () => {
    await app?.close();
    app = undefined;
    const whileDown = await publish('access.requested', 5);
    await start();
    const after = await publish('access.requested', 5);
    await waitFor(() => shipped().length === 40, { what: '40 lines shipped', timeoutMs: 30000 });
    const ids = shipped().map((l) => l.id);
    expect(new Set(ids).size).toBe(40);
    for (const id of [...whileDown, ...after]) expect(ids).toContain(id);
  });
});
