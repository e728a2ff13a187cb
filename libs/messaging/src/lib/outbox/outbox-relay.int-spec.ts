import { randomUUID } from 'node:crypto';
import { createLogger } from '@gatehouse/observability';
import type { TopicMessages } from 'kafkajs';
import { waitFor } from '@gatehouse/testing';
import type { DataSource } from 'typeorm';
import { SCHEMA, setUpDatabase } from '../../test/messaging-fixture';
import { createEnvelope } from '../envelope-factory';
import type { MessagePublisher, OutgoingMessage } from '../kafka/kafka-publisher';
import { runWithDeadline } from '../request-reply/deadline';
import { gatherRiders, sendWithRiders } from '../request-reply/reply-riders';
import { OutboxRelay } from './outbox-relay';
import { UnitOfWork } from './unit-of-work';

/** A publisher whose broker is down until `up` is set; records what it published, in order. */
class FlakyPublisher implements MessagePublisher {
  up = false;
  readonly published: string[] = [];
  /** Each produce request: the events' subjects and the values sent along. */
  readonly requests: { subjects: string[]; along: string[] }[] = [];
  /** Messages sent along (answers) are refused, as a reply topic that is gone would be. */
  refuseAlong = false;
  async publish(messages: readonly OutgoingMessage[], along: readonly TopicMessages[] = []): Promise<void> {
    if (!this.up) throw new Error('broker unreachable');
    if (this.refuseAlong && along.length > 0) throw new Error('This server does not host this topic-partition');
    this.published.push(...messages.map((m) => m.envelope.subject));
    this.requests.push({ subjects: messages.map((m) => m.envelope.subject), along: along.flatMap((t) => t.messages.map((m) => String(m.value))) });
  }
}

describe('outbox relay on real PostgreSQL', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  const logger = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    const setup = await setUpDatabase();
    dataSource = setup.dataSource;
    drop = async () => {
      await dataSource.destroy();
      await setup.database.drop();
    };
  });
  afterAll(async () => {
    await drop?.();
  });

  const event = (subject: string) =>
    createEnvelope(
      'access.requested',
      subject,
      {
        requestId: randomUUID(),
        requester: { email: 'ada@example.com' },
        flow: 'f',
        target: 't',
        durationSeconds: 600,
        reason: 'r',
        actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } },
        status: 'PENDING',
        requestedAt: new Date().toISOString(),
      },
      { source: 'test' },
    );

  it('keeps commits while the broker is down and publishes them in commit order when it is back', async () => {
    const publisher = new FlakyPublisher();
    const relay = new OutboxRelay(dataSource, SCHEMA, publisher, logger, { pollIntervalMs: 100 });
    relay.start();
    await relay.idle();
    const uow = new UnitOfWork(dataSource, SCHEMA, relay);
    try {
      for (const subject of ['first', 'second', 'third']) await uow.run((tx) => tx.publish(event(subject)));
      const pending = await dataSource.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE published_at IS NULL`);
      expect(pending[0].n).toBe(3);

      publisher.up = true;
      await uow.run((tx) => tx.publish(event('fourth'))); // must not overtake the backlog
      await waitFor(() => publisher.published.length >= 4, { what: 'the backlog to drain' });
      expect(publisher.published).toEqual(['first', 'second', 'third', 'fourth']);
      const left = await dataSource.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE published_at IS NULL`);
      expect(left[0].n).toBe(0);
    } finally {
      await relay.stop();
    }
  });

  /** A relay started and through its first drain, over a broker that is up. */
  const startedRelay = async (options: ConstructorParameters<typeof OutboxRelay>[4]) => {
    const publisher = new FlakyPublisher();
    publisher.up = true;
    const relay = new OutboxRelay(dataSource, SCHEMA, publisher, logger, options);
    relay.start();
    await relay.idle();
    return { relay, publisher, uow: new UnitOfWork(dataSource, SCHEMA, relay) };
  };

  const publishedAt = async (subjects: readonly string[]) =>
    ((await dataSource.query(`SELECT message_key, published_at FROM ${SCHEMA}.outbox WHERE message_key = ANY($1)`, [subjects])) as { message_key: string; published_at: Date | null }[]).sort(
      (a, b) => subjects.indexOf(a.message_key) - subjects.indexOf(b.message_key),
    );

  it('marks what the fast path published later, many rows at once, each with when it reached the broker, and all of it before it stops', async () => {
    const { relay: first, publisher, uow } = await startedRelay({ pollIntervalMs: 100, markEveryMs: 60_000 });
    const subjects = ['m1', 'm2', 'm3'].map((s) => `${s}-${randomUUID()}`);
    for (const subject of subjects) {
      await uow.run((tx) => tx.publish(event(subject)));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(publisher.published.slice(-3)).toEqual(subjects);
    // Published, not yet marked: the marks wait (here a minute) to share one statement.
    expect((await publishedAt(subjects)).map((row) => row.published_at)).toEqual([null, null, null]);

    await first.stop();
    const marks = (await publishedAt(subjects)).map((row) => (row.published_at as Date).getTime());
    // Each its own time, 300 ms apart, not the moment they were all marked.
    expect(marks[1] - marks[0]).toBeGreaterThanOrEqual(250);
    expect(marks[2] - marks[1]).toBeGreaterThanOrEqual(250);

    // A relay started after it finds nothing left to publish.
    const count = publisher.published.length;
    const second = new OutboxRelay(dataSource, SCHEMA, publisher, logger, { pollIntervalMs: 100 });
    second.start();
    await second.idle();
    await second.stop();
    expect(publisher.published.length).toBe(count);
  });

  it('marks everything published when it stops in the middle of a stream of commits and marks', async () => {
    const { relay, uow } = await startedRelay({ pollIntervalMs: 100, markEveryMs: 0 });
    const subjects = Array.from({ length: 40 }, (_, i) => `s${i}-${randomUUID()}`);
    // Commits land while marks of earlier ones are being written.
    for (let i = 0; i < subjects.length; i += 8) await Promise.all(subjects.slice(i, i + 8).map((subject) => uow.run((tx) => tx.publish(event(subject)))));
    await relay.stop();
    const rows = await publishedAt(subjects);
    expect(rows.filter((row) => row.published_at === null).map((row) => row.message_key)).toEqual([]);
    expect(rows).toHaveLength(40);
  });

  it('sends the events a handler committed while answering with its answer, in one request; when the broker is down, the answer is sent alone and the poller has the events', async () => {
    const { relay, publisher, uow } = await startedRelay({ pollIntervalMs: 100, fastPathGraceMs: 0 });
    const answer: TopicMessages[] = [{ topic: 'replies', messages: [{ key: 'k', value: 'the answer' }] }];
    const sentAlone: string[] = [];
    // As a consumer answers a command whose work is in the unit of work.
    const answering = (subjects: readonly string[]) =>
      runWithDeadline(undefined, async () => {
        const command = event(`command-${randomUUID()}`);
        gatherRiders(command.id);
        await uow.consumeOnce('test', command, async (tx) => {
          for (const subject of subjects) await tx.publish(event(subject));
        });
        await sendWithRiders(answer, async (alone) => void sentAlone.push(...alone.flatMap((t) => t.messages.map((m) => String(m.value)))));
      });
    try {
      const subjects = [`a-${randomUUID()}`, `b-${randomUUID()}`];
      const before = publisher.requests.length;
      await answering(subjects);
      expect(publisher.requests.slice(before)).toEqual([{ subjects, along: ['the answer'] }]);
      expect(sentAlone).toEqual([]);

      // An answer the broker refuses fails only its own sending, not the events it rode with.
      publisher.refuseAlong = true;
      const refused = [`r-${randomUUID()}`];
      await answering(refused);
      expect(publisher.requests.at(-1)).toEqual({ subjects: refused, along: [] });
      expect(sentAlone).toEqual(['the answer']);
      publisher.refuseAlong = false;
      sentAlone.length = 0;
      const after = [`d-${randomUUID()}`];
      await answering(after);
      expect(publisher.requests.at(-1)).toEqual({ subjects: after, along: ['the answer'] });

      publisher.up = false;
      const down = `c-${randomUUID()}`;
      await answering([down]);
      expect(sentAlone).toEqual(['the answer']);
      publisher.up = true;
      await waitFor(() => publisher.published.includes(down), { what: 'the poller to publish what the fast path could not' });
    } finally {
      await relay.stop();
    }
  });
});
