import { createHash, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { AuditRecord, Envelope, OcsfAuditEvent } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, KafkaRequester, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { expectValidOcsf, serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { accessRequested, auditedLifeOfARequest } from '../../test/audited-events';
import { verifyChain } from './audit-record';
import { ChainAppender } from './chain-appender';
import { RecentRecords } from './recent-records';
import { startAuditReporting } from '../../test/start-audit-reporting';

describe('audit-reporting on the real broker and database', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let publisher: KafkaPublisher;
  let db: DataSource;
  const logger = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    testEnv = await serviceTestEnv('audit');
    app = await startAuditReporting(testEnv.env, logger);
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
    // A later event of the same request: same key, so it is handled after the redelivery.
    const marker = createEnvelope('access.cancelled', event.subject, { requestId: event.subject, actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'approval' });
    await publisher.publish([outgoing(marker)]);
    await waitFor(async () => (await allRecords()).some((r) => r.id === marker.id), { what: 'the marker record' });
    expect((await allRecords()).filter((r) => r.subject === event.subject).map((r) => r.id)).toEqual([event.id, marker.id]);
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
    // Stored as the canonical text it was hashed from (what a drained destination ships): anyone
    // holding a line can hash it again, with nothing but SHA-256.
    const texts = (await db.query(`SELECT record::text AS text, hash FROM audit.records ORDER BY seq`)) as { text: string; hash: string }[];
    for (const { text, hash } of texts) {
      expect(text.endsWith(`,"hash":"${hash}"}`)).toBe(true);
      expect(createHash('sha256').update(`${text.slice(0, -`,"hash":"${hash}"}`.length)}}`).digest('hex')).toBe(hash);
    }
  });

  it('keeps one chain, each event once and every request’s facts, when two appenders write at once and groups are built ahead', async () => {
    // Two appenders (as two replicas would be) take turns at the head, so each one's group built
    // ahead is sometimes stale and must be built again; requests whose first event is in one
    // group and second in the next take their facts from the group before it commits.
    const cancelled = (e: Envelope) =>
      createEnvelope('access.cancelled', e.subject, { requestId: e.subject, actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'approval' });
    const [first, second] = [new ChainAppender(db, new RecentRecords()), new ChainAppender(db, new RecentRecords())];
    const streams = [0, 1, 2].map(() => {
      const asked = Array.from({ length: 1500 }, () => requested());
      // A redelivery straddling two groups (the 1000th and 1001st events are the same one).
      return [...asked.slice(0, 1000), asked[999] as Envelope, ...asked.slice(1000), ...asked.map(cancelled)];
    });
    const appendAll = (appender: ChainAppender, events: Envelope[]) => Promise.all(events.map((e) => appender.append(e)));
    const before = (await allRecords()).length;
    // One appender alone: every group but the first is built ahead, and that build holds.
    await appendAll(first, streams[0] as Envelope[]);
    // Two at once.
    await Promise.all([appendAll(first, streams[1] as Envelope[]), appendAll(second, streams[2] as Envelope[])]);

    const records = await allRecords();
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(records.map((r) => Number(r.sequence))).toEqual(records.map((_, i) => i + 1));
    const ids = streams.flat().map((e) => e.id);
    expect(records.length - before).toBe(new Set(ids).size);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const ends = records.filter((r) => r.type === 'access.cancelled' && ids.includes(r.id)).map((r) => (r.data as OcsfAuditEvent).unmapped.gatehouse.request);
    expect(ends).toHaveLength(4500);
    for (const request of ends) expect(request).toEqual({ flow: 'production-database', target: 'read-only', requester: 'ada@example.com', statusBefore: 'PENDING', statusAfter: 'CANCELLED' });
  });

  it('passes over an event recorded long ago that comes again in a group built ahead, without an error', async () => {
    const appender = new ChainAppender(db, new RecentRecords());
    const old = requested();
    await appender.append(old);
    const before = (await allRecords()).length;
    // A full group first, so the next one — with the old event in it — is built ahead and its
    // write finds the old event's id taken.
    const burst = Array.from({ length: 1000 }, () => requested());
    const last = requested();
    await Promise.all([...burst, old, last].map((e) => appender.append(e)));
    const records = await allRecords();
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(records.length - before).toBe(1001);
    expect(records.filter((r) => r.id === old.id)).toHaveLength(1);
    expect(records.at(-1)?.id).toBe(last.id);
  });

  it("writes nothing queued after a group that fails: a batch spans groups, and a request's later event never goes in before its earlier one", async () => {
    const appender = new ChainAppender(db, new RecentRecords());
    const earlier = requested();
    const later = createEnvelope('access.cancelled', earlier.subject, { requestId: earlier.subject, actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'approval' });
    // An event PostgreSQL refuses (its id is no uuid) fails the first group (1,000 events); `later` is in the second.
    const unbuildable: Envelope = { ...requested(), id: 'not-a-uuid' };
    const fillers = Array.from({ length: 998 }, () => requested());
    const before = (await allRecords()).length;
    await expect(appender.appendAll([earlier, unbuildable, ...fillers, later])).rejects.toThrow();
    expect((await allRecords()).length).toBe(before);
    // Handed in again without it (as the consumer does, one by one, after such a failure): in order.
    await appender.appendAll([earlier, ...fillers, later]);
    const records = await allRecords();
    expect(verifyChain(records)).toEqual({ ok: true });
    const mine = records.filter((r) => r.subject === earlier.subject).map((r) => r.type);
    expect(mine).toEqual(['access.requested', 'access.cancelled']);
  });

  it('sees what another appender committed while it waited for the head: events both were handed at once are recorded once, without an error', async () => {
    // As after a rebalance, when two replicas hold the same events: one takes the head, the other
    // waits for it, and its look-up of what is recorded must see what the first committed.
    const [first, second] = [new ChainAppender(db, new RecentRecords()), new ChainAppender(db, new RecentRecords())];
    const before = (await allRecords()).length;
    const handed: Envelope[] = [];
    // Groups of one (a statement of their own) and of five.
    for (let round = 0; round < 40; round++) {
      const events = Array.from({ length: round % 2 === 0 ? 1 : 5 }, () => requested());
      handed.push(...events);
      await Promise.all([...events.map((e) => first.append(e)), ...events.map((e) => second.append(e))]);
    }
    // A request's next event, alone in its group, is built on the facts its first one left.
    const lone = handed[0] as Envelope;
    const cancelled = createEnvelope('access.cancelled', lone.subject, { requestId: lone.subject, actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'approval' });
    await Promise.all([second.append(cancelled), first.append(cancelled)]);
    handed.push(cancelled);
    const records = await allRecords();
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(records.length - before).toBe(handed.length);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const ended = records.find((r) => r.id === cancelled.id)?.data as OcsfAuditEvent | undefined;
    expect(ended?.unmapped.gatehouse.request).toMatchObject({ requester: 'ada@example.com', statusBefore: 'PENDING', statusAfter: 'CANCELLED' });
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
