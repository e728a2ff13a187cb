import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@gatehouse/config';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { FakeOkta, serviceTestEnv, TopicReader, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { AppModule } from '../app.module';
import { envSchema, SERVICE } from '../config';

const logger = createLogger({ service: 'test', level: 'silent' });
const GROUP = '00gburstgroup0000001';
const BURST = 1000;

/**
 * 1,000 approvals at once against Okta's limit of 600 calls per window per endpoint family
 * (the window shortened from a minute to 5 s so the test takes seconds, not minutes): every
 * grant must succeed, and the shared budget must keep 429s to a handful.
 */
describe('a burst of 1,000 grants under a 600-per-window rate limit', () => {
  let testEnv: ServiceTestEnv;
  let okta: FakeOkta;
  let app: INestApplication;
  let connection: KafkaConnection;
  let reader: TopicReader;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('burst');
    okta = await new FakeOkta().start();
    okta.addGroup(GROUP);
    for (let i = 0; i < BURST; i++) okta.addUser(`user${i}@example.com`);
    okta.rateLimitPerMinute = 600;
    okta.rateLimitWindowMs = 5000;
    const config = loadConfig(envSchema, { ...testEnv.env, OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken });
    app = await startService({
      service: SERVICE,
      module: AppModule.register(config, logger),
      logger,
      port: 0,
      consumer: { groupId: SERVICE, topics: [TOPICS.directoryQueries, TOPICS.provisioningCommands] },
    });
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    reader = await new TopicReader(testEnv.brokers).start([testEnv.topicPrefix + TOPICS.provisioningEvents]);
  });
  afterAll(async () => {
    await reader?.stop();
    await connection?.close();
    await app?.close();
    await okta?.stop();
    await testEnv?.database.drop();
  });

  it('grants all of them, with no storm of 429s', async () => {
    const commands = Array.from({ length: BURST }, (_, i) => {
      const requestId = randomUUID();
      return createEnvelope(
        'provisioning.grant',
        requestId,
        { requestId, grantId: randomUUID(), user: { email: `user${i}@example.com` }, oktaGroupId: GROUP, flow: 'f', target: 't', durationSeconds: 3600 },
        { source: 'approval' },
      );
    });
    await new KafkaPublisher(connection).publish(commands.map((c) => outgoing(c)));
    const reports = await waitFor(
      () => {
        const all = reader.on(testEnv.topicPrefix + TOPICS.provisioningEvents).map((m) => m.json<Envelope>());
        return all.length >= BURST ? all : undefined;
      },
      { what: `${BURST} reports`, timeoutMs: 120000, intervalMs: 500 },
    );
    expect(reports.filter((r) => r.type === 'provisioning.granted')).toHaveLength(BURST);
    expect(reports.filter((r) => r.type === 'provisioning.grant_failed')).toHaveLength(0);
    for (let i = 0; i < BURST; i += 97) expect(okta.isMember(GROUP, `user${i}@example.com`)).toBe(true);
    const tooMany = okta.log.filter((l) => l.status === 429).length;
    expect(tooMany).toBeLessThan(okta.log.length / 100);
  });
});
