import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { loadConfig } from '@gatehouse/config';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { serviceTestEnv, TopicReader, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../app.module';
import { approvalEnvSchema, SERVICE } from '../../config';

describe('approval: access.request.create on the real broker and database', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let publisher: KafkaPublisher;
  let reader: TopicReader;
  let db: DataSource;
  const logger = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    testEnv = await serviceTestEnv('approval');
    const config = loadConfig(approvalEnvSchema, testEnv.env);
    app = await startService({
      service: SERVICE,
      module: AppModule.register(config, logger),
      logger,
      port: 0,
      consumer: { groupId: SERVICE, topics: [TOPICS.approvalCommands] },
    });
    db = app.get(DataSource);
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    publisher = new KafkaPublisher(connection);
    reader = await new TopicReader(testEnv.brokers).start([testEnv.topicPrefix + TOPICS.accessEvents]);
  });

  afterAll(async () => {
    await reader?.stop();
    await connection?.close();
    await app?.close();
    await testEnv?.database.drop();
  });

  const command = (requestId: string = randomUUID()) =>
    createEnvelope(
      'access.request.create',
      requestId,
      {
        requestId,
        requester: { email: 'Grace@Example.com', displayName: 'Grace Hopper' },
        flow: 'production-database',
        target: 'read-only',
        durationSeconds: 1800,
        reason: 'INC-7: slow queries',
        channel: 'api',
      },
      { source: 'gateway' },
    );
  const eventsFor = (requestId: string) =>
    reader.on(testEnv.topicPrefix + TOPICS.accessEvents).map((m) => m.json<Envelope>()).filter((e) => e.subject === requestId);

  it('stores a PENDING request and emits access.requested, caused by the command', async () => {
    const cmd = command();
    await publisher.publish([outgoing(cmd)]);
    const [event] = await waitFor(() => (eventsFor(cmd.subject).length ? eventsFor(cmd.subject) : undefined), { what: 'access.requested' });
    expect(event).toMatchObject({
      type: 'access.requested',
      source: 'approval',
      subject: cmd.subject,
      correlationId: cmd.correlationId,
      causationId: cmd.id,
      data: { requestId: cmd.subject, status: 'PENDING', flow: 'production-database', durationSeconds: 1800 },
    });
    const rows = await db.query('SELECT status, requester_email FROM approval.access_requests WHERE id = $1', [cmd.subject]);
    expect(rows).toEqual([{ status: 'PENDING', requester_email: 'grace@example.com' }]);
  });

  it('does nothing more for a redelivered command, or a retried one with the same request id', async () => {
    const cmd = command();
    const retry = command(cmd.subject); // same request id, new message id: a client retrying
    await publisher.publish([outgoing(cmd)]);
    await publisher.publish([outgoing(cmd)]);
    await publisher.publish([outgoing(retry)]);
    const marker = command();
    await publisher.publish([outgoing(marker)]); // same partition or not, handled once the others are
    await waitFor(() => eventsFor(marker.subject).length === 1, { what: 'the marker request' });
    await waitFor(
      async () => Number((await db.query('SELECT count(*) FROM approval.inbox WHERE message_id = ANY($1)', [[cmd.id, retry.id]]))[0].count) === 2,
      { what: 'both commands to be handled' },
    );
    expect(eventsFor(cmd.subject)).toHaveLength(1);
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM approval.access_requests WHERE id = $1', [cmd.subject]);
    expect(count).toBe(1);
  });
});
