import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { AuditRecord, Envelope, OcsfAuditEvent } from '@gatehouse/contracts';
import { loadConfig } from '@gatehouse/config';
import { KafkaConnection, KafkaPublisher, KafkaRequester, outgoing, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { expectValidOcsf, serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../app.module';
import { auditEnvSchema, SERVICE } from '../../config';
import { accessRequested, auditedLifeOfARequest } from '../../test/audited-events';
import { verifyChain } from './audit-record';

describe('audit-reporting on the real broker and database', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let publisher: KafkaPublisher;
  let db: DataSource;
  const logger = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    testEnv = await serviceTestEnv('audit');
    const config = loadConfig(auditEnvSchema, testEnv.env);
    app = await startService({
      service: SERVICE,
      module: AppModule.register(config, logger),
      logger,
      port: 0,
    });
    db = app.get(DataSource);
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    publisher = new KafkaPublisher(connection);
  });

  afterAll(async () => {
    expectValidOcsf(await allRecords());
    await connection?.close();
    await app?.close();
    await testEnv?.database.drop();
  });

  const requested = (requestId?: string): Envelope => accessRequested(requestId, 'INC-1');
  const allRecords = async (): Promise<AuditRecord[]> =>
    (await db.query('SELECT record FROM audit.records ORDER BY seq')).map((row: { record: AuditRecord }) => row.record);

  it("records a request's whole life as OCSF events, each naming the request and its status before and after", async () => {
    const requestId = randomUUID();
    const life = auditedLifeOfARequest(requestId).filter((e) => e.subject === requestId);
    for (const event of life) await publisher.publish([outgoing(event)]); // in order, as one request's events are
    const records = await waitFor(
      async () => {
        const mine = (await allRecords()).filter((r) => r.subject === requestId);
        return mine.length === life.length ? mine : undefined;
      },
      { what: "the request's records", timeoutMs: 30000 },
    );
    expectValidOcsf(records);
    const ended = records.find((r) => r.type === 'access.ended')?.data as OcsfAuditEvent;
    expect(ended).toMatchObject({ class_uid: 3005, activity_name: 'Revoke Privileges', user: { email_addr: 'ada@example.com' }, privileges: ['production-database/read-only'] });
    expect(ended.unmapped.gatehouse.request).toMatchObject({ statusBefore: 'ACTIVE', statusAfter: 'EXPIRED' });
    const [facts] = await db.query(`SELECT facts FROM audit.request_facts WHERE subject = $1`, [requestId]);
    expect(facts.facts).toMatchObject({ flow: 'production-database', target: 'read-only', requester: 'ada@example.com', oktaGroupId: '00g1readonly', status: 'EXPIRED' });
  });

  it('records a redelivered event once', async () => {
    const event = requested();
    await publisher.publish([outgoing(event)]);
    await publisher.publish([outgoing(event)]);
    const marker = requested();
    await publisher.publish([outgoing(marker)]);
    await waitFor(async () => (await allRecords()).some((r) => r.id === marker.id), { what: 'the marker record' });
    await waitFor(async () => Number((await db.query('SELECT count(*) FROM audit.inbox'))[0].count) >= 2, { what: 'inbox rows' });
    expect((await allRecords()).filter((r) => r.id === event.id)).toHaveLength(1);
  });

  it('keeps one unbroken hash chain under a burst spread over every partition', async () => {
    const burst = Array.from({ length: 60 }, () => requested());
    await publisher.publish(burst.map((e) => outgoing(e)));
    const records = await waitFor(
      async () => {
        const all = await allRecords();
        return burst.every((e) => all.some((r) => r.id === e.id)) ? all : undefined;
      },
      { what: 'all 60 records', timeoutMs: 30000 },
    );
    expect(records.map((r) => Number(r.sequence))).toEqual(records.map((_, i) => i + 1));
    expect(verifyChain(records)).toEqual({ ok: true });
  });

  it('answers audit.query with one request’s records, in order', async () => {
    const requester = new KafkaRequester(connection, `audit-test-${randomUUID().slice(0, 8)}`, logger);
    await requester.start();
    try {
      const event = requested();
      await publisher.publish([outgoing(event)]);
      const { records } = await waitFor(
        async () => {
          const reply = await requester.request('audit.query', event.subject, { requestId: event.subject });
          return reply.records.length ? reply : undefined;
        },
        { what: 'the record through audit.query' },
      );
      expect(records.map((r) => [r.id, r.subject, r.type])).toEqual([[event.id, event.subject, 'access.requested']]);
    } finally {
      await requester.stop();
    }
  });
});
