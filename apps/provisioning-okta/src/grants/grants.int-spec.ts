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
const GROUP = '00gprdbreadonly00001';

describe('provisioning-okta grants and revocations against the fake Okta', () => {
  let testEnv: ServiceTestEnv;
  let okta: FakeOkta;
  let app: INestApplication;
  let connection: KafkaConnection;
  let publisher: KafkaPublisher;
  let reader: TopicReader;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('grants');
    okta = await new FakeOkta().start();
    okta.addGroup(GROUP);
    const config = loadConfig(envSchema, { ...testEnv.env, OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken });
    app = await startService({
      service: SERVICE,
      module: AppModule.register(config, logger),
      logger,
      port: 0,
      consumer: { groupId: SERVICE, topics: [TOPICS.directoryQueries, TOPICS.provisioningCommands] },
    });
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    publisher = new KafkaPublisher(connection);
    reader = await new TopicReader(testEnv.brokers).start([testEnv.topicPrefix + TOPICS.provisioningEvents]);
  });
  afterAll(async () => {
    await reader?.stop();
    await connection?.close();
    await app?.close();
    await okta?.stop();
    await testEnv?.database.drop();
  });

  const reports = (grantId: string) =>
    reader
      .on(testEnv.topicPrefix + TOPICS.provisioningEvents)
      .map((m) => m.json<Envelope>())
      .filter((e) => (e.data as { grantId: string }).grantId === grantId);
  const report = (grantId: string) => waitFor(() => reports(grantId)[0], { what: `the report for ${grantId}` });

  function grantCommand(email: string, group = GROUP) {
    const requestId = randomUUID();
    return createEnvelope(
      'provisioning.grant',
      requestId,
      { requestId, grantId: randomUUID(), user: { email }, oktaGroupId: group, flow: 'prod-db', target: 'read-only', durationSeconds: 3600 },
      { source: 'approval' },
    );
  }
  const revokeCommand = (grant: ReturnType<typeof grantCommand>) =>
    createEnvelope(
      'provisioning.revoke',
      grant.subject,
      { requestId: grant.data.requestId, grantId: grant.data.grantId, user: grant.data.user, oktaGroupId: grant.data.oktaGroupId, why: 'expired' },
      { source: 'approval' },
    );

  it('adds the membership, records the grant, and does not call Okta again for a redelivered command', async () => {
    okta.addUser('ada@example.com');
    const grant = grantCommand('Ada@Example.com');
    await publisher.publish([outgoing(grant)]);
    expect((await report(grant.data.grantId)).type).toBe('provisioning.granted');
    expect(okta.isMember(GROUP, 'ada@example.com')).toBe(true);
    const puts = () => okta.log.filter((l) => l.method === 'PUT').length;
    const before = puts();
    await publisher.publish([outgoing(grant)]);
    const marker = grantCommand('ada@example.com');
    await publisher.publish([outgoing(marker)]);
    await report(marker.data.grantId);
    expect(puts()).toBe(before + 1); // the marker's call, none for the redelivery
    expect(reports(grant.data.grantId)).toHaveLength(1);
  });

  it('fails a grant for someone Okta does not know, or a group that does not exist, saying what to fix', async () => {
    const stranger = grantCommand('stranger@example.com');
    await publisher.publish([outgoing(stranger)]);
    expect(await report(stranger.data.grantId)).toMatchObject({
      type: 'provisioning.grant_failed',
      data: { cause: expect.stringContaining('Okta has no user with login stranger@example.com (E0000007)') },
    });
    okta.addUser('bea@example.com');
    const badGroup = grantCommand('bea@example.com', '00gdoesnotexist00001');
    await publisher.publish([outgoing(badGroup)]);
    expect(await report(badGroup.data.grantId)).toMatchObject({ type: 'provisioning.grant_failed', data: { cause: expect.stringContaining('fix the target') } });
  });

  it('rides out Okta 5xx errors within its retry budget', async () => {
    okta.addUser('cy@example.com');
    okta.failNext(2, 503);
    const grant = grantCommand('cy@example.com');
    await publisher.publish([outgoing(grant)]);
    expect((await report(grant.data.grantId)).type).toBe('provisioning.granted');
    expect(okta.isMember(GROUP, 'cy@example.com')).toBe(true);
  });

  it('keeps a membership another active grant still needs, and removes it with the last one', async () => {
    okta.addUser('dee@example.com');
    const first = grantCommand('dee@example.com');
    const extension = grantCommand('dee@example.com');
    await publisher.publish([outgoing(first), outgoing(extension)]);
    await report(first.data.grantId);
    await report(extension.data.grantId);

    const revokeFirst = revokeCommand(first);
    await publisher.publish([outgoing(revokeFirst)]);
    await waitFor(() => reports(first.data.grantId).some((e) => e.type === 'provisioning.revoked'), { what: 'the first revocation' });
    expect(okta.isMember(GROUP, 'dee@example.com')).toBe(true);

    await publisher.publish([outgoing(revokeCommand(extension))]);
    await waitFor(() => reports(extension.data.grantId).some((e) => e.type === 'provisioning.revoked'), { what: 'the last revocation' });
    expect(okta.isMember(GROUP, 'dee@example.com')).toBe(false);
  });

  it('counts a membership someone already removed by hand as revoked', async () => {
    const eve = okta.addUser('eve@example.com');
    const grant = grantCommand('eve@example.com');
    await publisher.publish([outgoing(grant)]);
    await report(grant.data.grantId);
    okta.removeMember(GROUP, eve.id);
    await publisher.publish([outgoing(revokeCommand(grant))]);
    await waitFor(() => reports(grant.data.grantId).some((e) => e.type === 'provisioning.revoked'), { what: 'the revocation' });
  });
});
