import { Controller, Global, Inject, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { TOPICS, type AuditQueryResult, type Envelope, type TypedEnvelope } from '@gatehouse/contracts';
import { ObservabilityModule, createLogger } from '@gatehouse/observability';
import { createTestDatabase, testKafkaBrokers, uniqueSuffix, type TestDatabase } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { MessagingModule, connectKafkaConsumer } from '../lib/messaging.module';
import { messagingTablesSql } from '../lib/outbox/messaging-tables';
import { UnitOfWork } from '../lib/outbox/unit-of-work';
import { RequestTimeoutError } from '../lib/request-reply/kafka-requester';

export const SCHEMA = 'msgtest';

/** What the test handler should do for a given subject. */
export const behaviour = {
  failAlways: new Set<string>(),
  failTimes: new Map<string, number>(),
  /** Subjects whose handler finds a service it asks unavailable this many more times. */
  unavailableTimes: new Map<string, number>(),
  /** Subjects whose handling takes this long (a slow Okta call, say). */
  slow: new Map<string, number>(),
  calls: [] as Envelope[],
  /** Ids of messages whose effect is committed, in the order they were. */
  done: [] as string[],
};

@Controller()
class TestHandlers {
  constructor(@Inject(UnitOfWork) private readonly uow: UnitOfWork) {}

  @EventPattern('access.requested')
  async onRequested(@Payload() envelope: TypedEnvelope<'access.requested'>): Promise<void> {
    behaviour.calls.push(envelope);
    if (behaviour.failAlways.has(envelope.subject)) throw new Error(`cannot store ${envelope.subject}: disk on fire`);
    const unavailable = behaviour.unavailableTimes.get(envelope.subject) ?? 0;
    if (unavailable > 0) {
      behaviour.unavailableTimes.set(envelope.subject, unavailable - 1);
      throw new RequestTimeoutError('access.request.get', 5000);
    }
    const remaining = behaviour.failTimes.get(envelope.subject) ?? 0;
    if (remaining > 0) {
      behaviour.failTimes.set(envelope.subject, remaining - 1);
      throw new Error('transient failure');
    }
    await this.uow.consumeOnce('test-consumer', envelope, async (tx) => {
      await tx.manager.query(`INSERT INTO ${SCHEMA}.effects (message_id, subject) VALUES ($1, $2)`, [envelope.id, envelope.subject]);
      const slow = behaviour.slow.get(envelope.subject);
      if (slow) await new Promise((resolve) => setTimeout(resolve, slow));
    });
    behaviour.done.push(envelope.id);
  }

  @MessagePattern('audit.query')
  answer(@Payload() envelope: TypedEnvelope<'audit.query'>): AuditQueryResult {
    if (envelope.data.limit === 13) throw new Error('unlucky limit');
    return { records: [] };
  }
}

export interface Fixture {
  app: INestApplication;
  dataSource: DataSource;
  database: TestDatabase;
  brokers: string[];
  topicPrefix: string;
  close(): Promise<void>;
}

export async function setUpDatabase(): Promise<{ database: TestDatabase; dataSource: DataSource }> {
  const database = await createTestDatabase('messaging');
  const dataSource = new DataSource({ type: 'postgres', url: database.url });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
  for (const sql of messagingTablesSql(SCHEMA)) await dataSource.query(sql);
  await dataSource.query(`CREATE TABLE ${SCHEMA}.effects (message_id uuid NOT NULL, subject text NOT NULL)`);
  return { database, dataSource };
}

export async function startFixture(options: { consume: boolean }): Promise<Fixture> {
  const brokers = testKafkaBrokers();
  const topicPrefix = `t${uniqueSuffix()}.`;
  const { database, dataSource } = await setUpDatabase();
  const logger = createLogger({ service: 'messaging-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

  @Global()
  @Module({ providers: [{ provide: DataSource, useValue: dataSource }], exports: [DataSource] })
  class TestDatabaseModule {}

  @Module({
    imports: [
      TestDatabaseModule,
      ObservabilityModule.forRoot({ service: 'messaging-test', logger }),
      MessagingModule.forRoot({
        service: `messaging-test-${uniqueSuffix()}`,
        brokers,
        topicPrefix,
        outboxSchema: SCHEMA,
        produces: [TOPICS.accessEvents, TOPICS.auditQueries],
        requester: true,
        outboxPollIntervalMs: 200,
      }),
    ],
    controllers: options.consume ? [TestHandlers] : [],
  })
  class TestModule {}

  const app = await NestFactory.create(TestModule, { logger: false });
  if (options.consume) {
    connectKafkaConsumer(app, 'messaging-test', {
      groupId: `messaging-test-${uniqueSuffix()}`,
      maxAttempts: 3,
      retryBaseMs: 20,
    });
    await app.startAllMicroservices();
  }
  await app.init();
  return {
    app,
    dataSource,
    database,
    brokers,
    topicPrefix,
    close: async () => {
      await app.close();
      await dataSource.destroy();
      await database.drop();
    },
  };
}
