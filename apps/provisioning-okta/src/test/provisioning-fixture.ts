import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@gatehouse/config';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, KafkaRequester, outgoing, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { FakeOkta, serviceTestEnv, TopicReader, type ServiceTestEnv } from '@gatehouse/testing';
import { AppModule } from '../app.module';
import { envSchema, SERVICE } from '../config';

const logger = createLogger({ service: 'test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

/**
 * provisioning-okta in this process on the real broker and a fresh database, talking to a
 * fake Okta over HTTP; the test publishes commands and reads the service's reports.
 */
export class ProvisioningFixture {
  private constructor(
    readonly testEnv: ServiceTestEnv,
    readonly okta: FakeOkta,
    readonly app: INestApplication,
    readonly connection: KafkaConnection,
    readonly publisher: KafkaPublisher,
    readonly reader: TopicReader,
  ) {}

  static async start(label: string, { env = {}, prepare }: { env?: NodeJS.ProcessEnv; prepare?: (okta: FakeOkta) => void } = {}): Promise<ProvisioningFixture> {
    const testEnv = await serviceTestEnv(label);
    const okta = await new FakeOkta().start();
    prepare?.(okta);
    const config = loadConfig(envSchema, { ...testEnv.env, OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken, ...env });
    const app = await ProvisioningFixture.startApp(testEnv, config);
    const connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    const reader = await new TopicReader(testEnv.brokers).start([testEnv.topicPrefix + TOPICS.provisioningEvents]);
    return new ProvisioningFixture(testEnv, okta, app, connection, new KafkaPublisher(connection), reader);
  }

  /** An instance on the given environment (Okta settings as the test wants them). */
  static startApp(testEnv: ServiceTestEnv, config = loadConfig(envSchema, testEnv.env)): Promise<INestApplication> {
    return startService({
      service: SERVICE,
      module: AppModule.register(config, logger),
      logger,
      port: 0,
    });
  }

  async requester(): Promise<KafkaRequester> {
    const requester = new KafkaRequester(this.connection, `prov-test-${randomUUID().slice(0, 8)}`, logger);
    await requester.start();
    return requester;
  }

  /** Every report about one grant, in the order they arrived. */
  reports(grantId: string): Envelope<{ grantId: string; action?: string; cause?: string }>[] {
    return this.reader
      .on(this.testEnv.topicPrefix + TOPICS.provisioningEvents)
      .map((m) => m.json<Envelope<{ grantId: string; action?: string; cause?: string }>>())
      .filter((e) => e.data.grantId === grantId);
  }

  grantCommand(email: string, oktaGroupId: string) {
    const requestId = randomUUID();
    return createEnvelope(
      'provisioning.grant',
      requestId,
      { requestId, grantId: randomUUID(), user: { email }, oktaGroupId, flow: 'prod-db', target: 'read-only', durationSeconds: 3600 },
      { source: 'approval' },
    );
  }

  revokeCommand(grant: ReturnType<ProvisioningFixture['grantCommand']>) {
    return createEnvelope(
      'provisioning.revoke',
      grant.subject,
      { requestId: grant.data.requestId, grantId: grant.data.grantId, user: grant.data.user, oktaGroupId: grant.data.oktaGroupId, why: 'expired' },
      { source: 'approval' },
    );
  }

  async send(...envelopes: Envelope[]): Promise<void> {
    await this.publisher.publish(envelopes.map((e) => outgoing(e)));
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    await this.connection.close();
    await this.app.close();
    await this.okta.stop();
    await this.testEnv.database.drop();
  }
}
