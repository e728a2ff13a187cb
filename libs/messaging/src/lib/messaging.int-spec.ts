import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { TOPICS, deadLetterTopicOf, type Envelope } from '@gatehouse/contracts';
import { createLogger } from '@gatehouse/observability';
import { TopicReader, waitFor } from '@gatehouse/testing';
import { Partitioners } from 'kafkajs';
import { behaviour, SCHEMA, startFixture, type Fixture } from '../test/messaging-fixture';
import { createEnvelope } from './envelope-factory';
import { HEADERS } from './kafka/headers';
import { KafkaConnection } from './kafka/kafka-connection';
import { KafkaPublisher } from './kafka/kafka-publisher';
import { OutboxRelay } from './outbox/outbox-relay';
import { KafkaRequester, RemoteError, RequestTimeoutError } from './request-reply/kafka-requester';

const silent = createLogger({ service: 'test', level: 'silent' });

function requested(subject = randomUUID()): Envelope {
  return createEnvelope(
    'access.requested',
    subject,
    {
      requestId: subject,
      requester: { email: 'ada@example.com' },
      flow: 'prod-db',
      target: 'readonly',
      durationSeconds: 3600,
      reason: 'INC-42 investigating',
      actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } },
      status: 'PENDING',
      requestedAt: new Date().toISOString(),
    },
    { source: 'test' },
  );
}

describe('messaging on the real broker and database', () => {
  let fixture: Fixture;
  let connection: KafkaConnection;
  let publisher: KafkaPublisher;
  let reader: TopicReader;
  const events = TOPICS.accessEvents;

  beforeAll(async () => {
    fixture = await startFixture({ consume: true });
    connection = new KafkaConnection({ clientId: 'test-producer', brokers: fixture.brokers, logger: silent, topicPrefix: fixture.topicPrefix });
    publisher = new KafkaPublisher(connection);
    reader = await new TopicReader(fixture.brokers).start([
      fixture.topicPrefix + events,
      fixture.topicPrefix + deadLetterTopicOf(events),
    ]);
  });

  afterAll(async () => {
    await reader?.stop();
    await connection?.close();
    await fixture?.close();
  });

  const effectsFor = async (subject: string): Promise<number> => {
    const [{ count }] = await fixture.dataSource.query(`SELECT count(*)::int AS count FROM ${SCHEMA}.effects WHERE subject = $1`, [subject]);
    return count;
  };
  const callsFor = (subject: string) => behaviour.calls.filter((c) => c.subject === subject).length;

  it('gives a redelivered event no second effect', async () => {
    const event = requested();
    await publisher.publish([{ topic: events, envelope: event }]);
    await publisher.publish([{ topic: events, envelope: event }]);
    await waitFor(() => callsFor(event.subject) === 2, { what: 'both deliveries to reach the handler' });
    expect(await effectsFor(event.subject)).toBe(1);
  });

  it('lets other requests on the same partition pass a slow one, and keeps each request in order', async () => {
    // Subjects that the producer's partitioner puts on one partition.
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
    const partitionOf = (key: string) => partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
    const slow = randomUUID();
    const others: ReturnType<typeof randomUUID>[] = [];
    while (others.length < 4) {
      const subject = randomUUID();
      if (partitionOf(subject) === partitionOf(slow)) others.push(subject);
    }
    behaviour.slow.set(slow, 3000);
    const slowSteps = [requested(slow), requested(slow)];
    const otherSteps = others.flatMap((subject) => [requested(subject), requested(subject), requested(subject)]);
    await publisher.publish([...slowSteps, ...otherSteps].map((envelope) => ({ topic: events, envelope })));

    await waitFor(async () => (await Promise.all(others.map(effectsFor))).every((n) => n === 3), { what: 'the other requests', timeoutMs: 20000 });
    // All twelve are done while the slow request's first message is still being handled.
    expect(behaviour.done).not.toContain(slowSteps[0].id);
    await waitFor(async () => (await effectsFor(slow)) === 2, { what: 'the slow request', timeoutMs: 20000 });
    for (const steps of [slowSteps, ...others.map((subject) => otherSteps.filter((e) => e.subject === subject))]) {
      const ids = steps.map((e) => e.id);
      expect(behaviour.done.filter((id) => ids.includes(id))).toEqual(ids);
    }
  });

  it('dead-letters a poison message with the reason and carries on with the next one', async () => {
    const producer = await connection.producer();
    const physical = fixture.topicPrefix + events;
    const bad = requested();
    const invalid = { ...bad, data: { ...(bad.data as object), durationSeconds: 'forever' } };
    await producer.send({ topic: physical, messages: [{ key: 'x', value: '{not json' }] });
    await producer.send({ topic: physical, messages: [{ key: bad.subject, value: JSON.stringify(invalid) }] });
    const good = requested();
    await publisher.publish([{ topic: events, envelope: good }]);

    await waitFor(async () => (await effectsFor(good.subject)) === 1, { what: 'the good message after the poison ones' });
    const dead = await reader.waitForCount(fixture.topicPrefix + deadLetterTopicOf(events), 2);
    const reasons = dead.map((m) => m.headers[HEADERS.dlqReason]);
    expect(reasons).toEqual(expect.arrayContaining(['value is not JSON', expect.stringContaining('durationSeconds')]));
    expect(dead.find((m) => m.key === bad.subject)?.headers[HEADERS.dlqOriginalTopic]).toBe(physical);
    expect(callsFor(bad.subject)).toBe(0);
  });

  it('retries a failing handler with backoff, then succeeds without a duplicate effect', async () => {
    const event = requested();
    behaviour.failTimes.set(event.subject, 2);
    await publisher.publish([{ topic: events, envelope: event }]);
    await waitFor(async () => (await effectsFor(event.subject)) === 1, { what: 'the effect after two failures' });
    expect(callsFor(event.subject)).toBe(3);
  });

  it('keeps retrying while a service it depends on is unavailable, past its attempts, and dead-letters nothing', async () => {
    const event = requested();
    behaviour.unavailableTimes.set(event.subject, 6); // the fixture allows 3 attempts
    await publisher.publish([{ topic: events, envelope: event }]);
    await waitFor(async () => (await effectsFor(event.subject)) === 1, { what: 'the effect once the service answers again', timeoutMs: 30000 });
    expect(callsFor(event.subject)).toBe(7);
    expect(reader.on(fixture.topicPrefix + deadLetterTopicOf(events)).filter((m) => m.key === event.subject)).toEqual([]);
  });

  it('dead-letters a message whose handler keeps failing, with the error as the reason', async () => {
    const event = requested();
    behaviour.failAlways.add(event.subject);
    await publisher.publish([{ topic: events, envelope: event }]);
    const follower = requested();
    await publisher.publish([{ topic: events, envelope: follower }]);
    await waitFor(async () => (await effectsFor(follower.subject)) === 1, { what: 'the message after the failing one' });
    const dead = await waitFor(
      () => reader.on(fixture.topicPrefix + deadLetterTopicOf(events)).find((m) => m.key === event.subject),
      { what: 'the failing message on the dead-letter topic' },
    );
    expect(dead.headers[HEADERS.dlqReason]).toBe(`Error: cannot store ${event.subject}: disk on fire`);
    expect(dead.headers[HEADERS.dlqAttempts]).toBe('3');
    expect(dead.json<Envelope>().id).toBe(event.id);
    expect(callsFor(event.subject)).toBe(3);
  });

  it('loses nothing when the process dies after the commit and before the publish', async () => {
    const subject = randomUUID();
    const child = spawnSync(
      process.execPath,
      [path.join(__dirname, '../../../../scripts/run-ts.cjs'), path.join(__dirname, '../test/commit-then-crash.ts')],
      {
        env: { ...process.env, TEST_DATABASE_URL: fixture.database.url, TEST_SUBJECT: subject, TEST_TOPIC_PREFIX: fixture.topicPrefix },
        encoding: 'utf8',
        timeout: 30000,
      },
    );
    expect(child.signal).toBe('SIGKILL');
    const rows = await fixture.dataSource.query(`SELECT published_at FROM ${SCHEMA}.outbox WHERE message_key = $1`, [subject]);
    expect(rows).toEqual([{ published_at: null }]);

    // The service comes back: its relay's poller finds the row and publishes it.
    const relay = new OutboxRelay(fixture.dataSource, SCHEMA, publisher, silent, { pollIntervalMs: 100 });
    relay.start();
    try {
      await waitFor(() => reader.on(fixture.topicPrefix + events).find((m) => m.key === subject), { what: 'the outboxed event on Kafka' });
      await waitFor(async () => (await effectsFor(subject)) === 1, { what: 'the consumer to apply it' });
      const [row] = await fixture.dataSource.query(`SELECT published_at FROM ${SCHEMA}.outbox WHERE message_key = $1`, [subject]);
      expect(row.published_at).not.toBeNull();
    } finally {
      await relay.stop();
    }
  });

  it('answers a query over request/reply, reports a remote failure, and times out when nobody answers', async () => {
    const requester = new KafkaRequester(connection, `requester-${randomUUID().slice(0, 8)}`, silent);
    await requester.start();
    try {
      await expect(requester.request('audit.query', 'x', { requestId: randomUUID() })).resolves.toEqual({ records: [] });
      await expect(requester.request('audit.query', 'x', { requestId: randomUUID(), limit: 13 })).rejects.toThrow(RemoteError);
      await expect(requester.request('audit.query', 'x', { requestId: randomUUID(), limit: 13 })).rejects.toThrow(/unlucky limit/);
    } finally {
      await requester.stop();
    }

    const lonely = new KafkaConnection({ clientId: 'lonely', brokers: fixture.brokers, logger: silent, topicPrefix: `nobody${randomUUID().slice(0, 6)}.` });
    await lonely.ensureTopics([TOPICS.auditQueries]);
    const unanswered = new KafkaRequester(lonely, 'lonely', silent);
    await unanswered.start();
    try {
      await expect(unanswered.request('audit.query', 'x', { requestId: randomUUID() }, { timeoutMs: 500 })).rejects.toThrow(RequestTimeoutError);
    } finally {
      await unanswered.stop();
      await lonely.close();
    }
  });
});
