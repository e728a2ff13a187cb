import { randomUUID } from 'node:crypto';
import { deadLetterTopicOf, HEADERS, TOPICS, type Envelope } from '@gatehouse/contracts';
import { createLogger } from '@gatehouse/observability';
import { testKafkaBrokers, TopicReader, uniqueSuffix, waitFor } from '@gatehouse/testing';
import { createEnvelope } from '../envelope-factory';
import { KafkaConnection } from '../kafka/kafka-connection';
import { KafkaPublisher, outgoing } from '../kafka/kafka-publisher';
import { KafkaConsumerServer } from './kafka-consumer-server';

const logger = createLogger({ service: 'batch-handlers-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const actor = { kind: 'person' as const, channel: 'api' as const, person: { email: 'ada@example.com' } };

const requested = (requestId: string, reason: string) =>
  createEnvelope(
    'access.requested',
    requestId,
    { requestId, requester: { email: 'ada@example.com' }, actor, flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason, status: 'PENDING', requestedAt: new Date().toISOString() },
    { source: 'approval' },
  );

/**
 * A handler declared with `{ batch: true }` gets a fetched batch's envelopes in one call: valid
 * ones only (a bad message is dead-lettered as always), each key's in order; a passing failure
 * retries the batch, any other failure falls back to one by one so only the bad one is dead-lettered.
 */
describe('an event handler that takes whole batches', () => {
  const topicPrefix = `batches${uniqueSuffix()}.`;
  let connection: KafkaConnection;
  let server: KafkaConsumerServer;
  let dlq: TopicReader;
  /** Each call's envelopes, as handed in. */
  const calls: string[][] = [];
  const handled: Envelope[] = [];
  let transientFailures = 0;

  beforeAll(async () => {
    connection = new KafkaConnection({ clientId: 'batch-handlers-test', brokers: testKafkaBrokers(), logger, topicPrefix });
    server = new KafkaConsumerServer({ connection, groupId: `batches-${uniqueSuffix()}`, source: 'batch-handlers-test', logger, retryBaseMs: 20, maxAttempts: 2, transientRetryMs: 1500 });
    // As Nest registers @EventPattern([types], { batch: true }): a handler a type, sharing the extras.
    const extras = { batch: true };
    const record = async (events: Envelope[]): Promise<void> => {
        calls.push(events.map((e) => (e.data as { reason?: string }).reason ?? e.type));
        if (events.some((e) => (e.data as { reason: string }).reason === 'poison')) throw new Error('cannot record this one');
        if (events.some((e) => (e.data as { reason: string }).reason === 'down')) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        if (events.some((e) => (e.data as { reason: string }).reason === 'flaky') && transientFailures < 2) {
          transientFailures++;
          throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
        }
        handled.push(...events);
    };
    server.addHandler('access.requested', (events: Envelope[]) => record(events), true, extras);
    server.addHandler('access.cancelled', (events: Envelope[]) => record(events), true, extras);
    await new Promise<void>((resolve, reject) => void server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    dlq = await new TopicReader(testKafkaBrokers()).start([deadLetterTopicOf(connection.physical(TOPICS.accessEvents))]);
  });
  afterAll(async () => {
    await dlq?.stop();
    await server?.close();
    await connection?.close();
  });

  const reasons = (events: readonly Envelope[]) => events.map((e) => (e.data as { reason?: string }).reason ?? e.type);
  /** Sent in one request to one partition: they arrive in one fetched batch. */
  const together = (events: readonly Envelope[]) =>
    connection.send([{ topic: connection.physical(TOPICS.accessEvents), messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e), partition: 0 })) }]);
  const cancelled = (requestId: string) => createEnvelope('access.cancelled', requestId, { requestId, actor, status: 'CANCELLED' }, { source: 'approval' });

  it('hands in many envelopes a call, each request\'s in order, and dead-letters a message that is not JSON', async () => {
    const requests = Array.from({ length: 5 }, () => randomUUID());
    const events = Array.from({ length: 200 }, (_, i) => requested(requests[i % 5] as string, `batch ${i}`));
    await connection.send([{ topic: connection.physical(TOPICS.accessEvents), messages: [{ key: 'garbage', value: 'not json' }] }]);
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    await waitFor(() => (handled.filter((e) => reasons([e])[0]?.startsWith('batch ')).length >= 200 ? true : undefined), { what: 'all 200 events handled' });
    const ours = handled.filter((e) => reasons([e])[0]?.startsWith('batch '));
    expect(ours).toHaveLength(200);
    for (const id of requests) expect(reasons(ours.filter((e) => e.subject === id))).toEqual(reasons(events.filter((e) => e.subject === id)));
    expect(Math.max(...calls.map((c) => c.length))).toBeGreaterThan(1);
    const [dead] = await waitFor(() => {
      const found = dlq.messages.filter((m) => m.key === 'garbage');
      return found.length > 0 ? found : undefined;
    }, { what: 'the message that is not JSON dead-lettered' });
    expect(dead?.headers[HEADERS.dlqReason]).toBe('value is not JSON');
  });

  it("keeps each request's events in order across types in one call", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    // b's cancellation first: a handler a type, called in turn, would put a's cancellation before its request.
    await together([cancelled(b), requested(a, 'types a'), cancelled(a)]);
    await waitFor(() => (handled.filter((e) => e.subject === a).length === 2 ? true : undefined), { what: "a's two events handled" });
    expect(reasons(handled.filter((e) => e.subject === a))).toEqual(['types a', 'access.cancelled']);
    expect(calls).toContainEqual(['access.cancelled', 'types a', 'access.cancelled']);
  });

  it('dead-letters only the event its handler keeps refusing; the rest of its batch is handled', async () => {
    const events = ['before', 'poison', 'after'].map((reason) => requested(randomUUID(), reason));
    await together(events);
    await waitFor(() => (['before', 'after'].every((r) => reasons(handled).includes(r)) ? true : undefined), { what: 'the good events handled' });
    const [dead] = await waitFor(() => {
      const found = dlq.messages.filter((m) => m.key === (events[1] as Envelope).subject);
      return found.length > 0 ? found : undefined;
    }, { what: 'the refused event dead-lettered' });
    expect(dead?.headers[HEADERS.dlqReason]).toContain('cannot record this one');
    expect(reasons(handled)).not.toContain('poison');
    expect(calls).toContainEqual(['before', 'poison', 'after']);
  });

  it('tries the whole batch again while a dependency is down, and handles it once it is back', async () => {
    const events = ['flaky', 'with it'].map((reason) => requested(randomUUID(), reason));
    await together(events);
    await waitFor(() => (['flaky', 'with it'].every((r) => reasons(handled).includes(r)) ? true : undefined), { what: 'the batch handled once PostgreSQL is back' });
    expect(transientFailures).toBe(2);
    expect(calls.filter((c) => c.includes('flaky'))).toEqual([['flaky', 'with it'], ['flaky', 'with it'], ['flaky', 'with it']]);
    expect(reasons(handled).filter((r) => r === 'flaky')).toHaveLength(1);
  });

  it('dead-letters the batch with the reason once its dependency has been down past transientRetryMs', async () => {
    const events = ['down'].map((reason) => requested(randomUUID(), reason));
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    const [dead] = await waitFor(() => {
      const found = dlq.messages.filter((m) => m.key === (events[0] as Envelope).subject);
      return found.length > 0 ? found : undefined;
    }, { what: 'the batch dead-lettered' });
    expect(dead?.headers[HEADERS.dlqReason]).toMatch(/ECONNREFUSED.*still failing after \d+ attempts/);
    expect(calls.filter((c) => c.includes('down')).length).toBeGreaterThan(1);
  });
});
