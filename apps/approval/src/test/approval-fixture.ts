import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, loadFlowsFile } from '@gatehouse/config';
import { TOPICS, type Envelope, type MessageInput } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, KafkaRequester, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { personPrincipal, serviceTestEnv, TEST_FLOWS_FILE, TopicReader, type ServiceTestEnv } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { approvalEnvSchema, SERVICE } from '../config';

/** The approval service in this process, on the real broker and a fresh database. */
export class ApprovalFixture {
  private constructor(
    readonly testEnv: ServiceTestEnv,
    public app: INestApplication,
    readonly connection: KafkaConnection,
    readonly publisher: KafkaPublisher,
    readonly requester: KafkaRequester,
    readonly reader: TopicReader,
    /** A connection of the test's own, usable while the service is stopped. */
    readonly db: DataSource,
  ) {}

  /** One approval instance on this fixture's database and topics (a replica, or a restart). */
  static startApp(testEnv: ServiceTestEnv): Promise<INestApplication> {
    const logger = createLogger({ service: 'test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
    const config = loadConfig(approvalEnvSchema, { ...testEnv.env, DIRECTORY_TIMEOUT_MS: '10000', TIMER_POLL_INTERVAL_MS: '60000' });
    return startService({
      service: SERVICE,
      module: AppModule.register(config, loadFlowsFile(TEST_FLOWS_FILE), logger),
      logger,
      port: 0,
    });
  }

  static async start(): Promise<ApprovalFixture> {
    const logger = createLogger({ service: 'test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
    const testEnv = await serviceTestEnv('approval');
    const app = await ApprovalFixture.startApp(testEnv);
    const connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    const requester = new KafkaRequester(connection, `approval-test-${randomUUID().slice(0, 8)}`, logger);
    await requester.start();
    const reader = await new TopicReader(testEnv.brokers).start([testEnv.topicPrefix + TOPICS.accessEvents, testEnv.topicPrefix + TOPICS.provisioningCommands]);
    const db = await new DataSource({ type: 'postgres', url: testEnv.database.url }).initialize();
    return new ApprovalFixture(testEnv, app, connection, new KafkaPublisher(connection), requester, reader, db);
  }

  /** Stops the service (as a deploy or a crash would) and starts a fresh instance. */
  async restart(whileDown: () => Promise<void> = async () => undefined): Promise<void> {
    await this.app.close();
    await whileDown();
    this.app = await ApprovalFixture.startApp(this.testEnv);
  }

  events(requestId: string, type?: string, topic: string = TOPICS.accessEvents): Envelope[] {
    return this.reader
      .on(this.testEnv.topicPrefix + topic)
      .map((m) => m.json<Envelope>())
      .filter((e) => e.subject === requestId && (!type || e.type === type));
  }

  /** A create command from Grace's personal token, unless `principal` says otherwise. */
  createCommand(overrides: Partial<MessageInput<'access.request.create'>> = {}) {
    const requestId = overrides.requestId ?? randomUUID();
    return createEnvelope(
      'access.request.create',
      requestId,
      {
        requestId,
        principal: personPrincipal('Grace@Example.com'),
        flow: 'production-database',
        target: 'read-only',
        durationSeconds: 1800,
        reason: 'INC-7: slow queries',
        ...overrides,
      },
      { source: 'gateway' },
    );
  }

  async create(overrides: Partial<MessageInput<'access.request.create'>> = {}, timeoutMs = 15000) {
    const command = this.createCommand(overrides);
    return this.requester.request('access.request.create', command.subject, command.data, { id: command.id, timeoutMs });
  }

  /** A decision by the approver's personal token. */
  decide(requestId: string, approverEmail: string, kind: 'approve' | 'deny' = 'approve', reason?: string) {
    return this.requester.request('access.decision.submit', requestId, { requestId, principal: personPrincipal(approverEmail), kind, reason }, { timeoutMs: 15000 });
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    await this.requester.stop();
    await this.connection.close();
    await this.app.close();
    await this.db.destroy();
    await this.testEnv.database.drop();
  }
}
