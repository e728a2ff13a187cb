import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@gatehouse/config';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { FakeOkta, serviceTestEnv, TopicReader, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { envSchema, SERVICE } from '../config';
import { Reconciler } from './reconciler';

const logger = createLogger({ service: 'test', level: 'silent' });
const GROUP = '00gprdbreadonly00001';

describe('reconciliation between the ledger and Okta', () => {
  let testEnv: ServiceTestEnv;
  let okta: FakeOkta;
  let app: INestApplication;
  let connection: KafkaConnection;
  let reader: TopicReader;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('reconcile');
    okta = await new FakeOkta().start();
    okta.addGroup(GROUP);
    const config = loadConfig(envSchema, { ...testEnv.env, OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken, RECONCILE_INTERVAL_MS: '0' });
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

  const events = (grantId: string) =>
    reader
      .on(testEnv.topicPrefix + TOPICS.provisioningEvents)
      .map((m) => m.json<Envelope<{ grantId: string; action?: string }>>())
      .filter((e) => e.data.grantId === grantId);

  async function granted(email: string): Promise<string> {
    okta.addUser(email);
    const requestId = randomUUID();
    const grantId = randomUUID();
    await new KafkaPublisher(connection).publish([
      outgoing(createEnvelope('provisioning.grant', requestId, { requestId, grantId, user: { email }, oktaGroupId: GROUP, flow: 'f', target: 't', durationSeconds: 3600 }, { source: 'approval' })),
    ]);
    await waitFor(() => events(grantId).some((e) => e.type === 'provisioning.granted'), { what: `the grant for ${email}` });
    return grantId;
  }

  it('removes a membership that outlived its grant, marks one removed by hand as ended, and touches nothing else', async () => {
    const overdue = await granted('late@example.com');
    const removedByHand = await granted('gone@example.com');
    const current = await granted('current@example.com');
    const outsider = okta.addUser('not-ours@example.com');
    okta.addMember(GROUP, outsider.id);
    const db = app.get(DataSource);
    await db.query(`UPDATE provisioning.grants SET expires_at = now() - interval '1 hour' WHERE grant_id = $1`, [overdue]);
    const goneUser = [...(await db.query(`SELECT okta_user_id FROM provisioning.grants WHERE grant_id = $1`, [removedByHand]))][0].okta_user_id as string;
    okta.removeMember(GROUP, goneUser);

    expect(await app.get(Reconciler).run()).toEqual({ removedOverdue: 1, removedOutside: 1 });

    expect(okta.isMember(GROUP, 'late@example.com')).toBe(false);
    expect(okta.isMember(GROUP, 'current@example.com')).toBe(true);
    expect(okta.isMember(GROUP, 'not-ours@example.com')).toBe(true);
    await waitFor(() => events(overdue).some((e) => e.type === 'provisioning.reconciled'), { what: 'the audited fix' });
    expect(events(overdue).find((e) => e.type === 'provisioning.reconciled')?.data.action).toBe('removed_overdue_membership');
    await waitFor(() => events(removedByHand).some((e) => e.type === 'provisioning.revoked'), { what: 'approval to be told' });
    expect(events(removedByHand).find((e) => e.type === 'provisioning.reconciled')?.data.action).toBe('membership_removed_outside');
    const states = await db.query(`SELECT grant_id, state FROM provisioning.grants WHERE grant_id = ANY($1::uuid[]) ORDER BY state`, [[overdue, removedByHand, current]]);
    expect(Object.fromEntries(states.map((r: { grant_id: string; state: string }) => [r.grant_id, r.state]))).toEqual({
      [overdue]: 'revoked',
      [removedByHand]: 'removed_outside',
      [current]: 'granted',
    });

    // A second pass finds nothing left to mend.
    expect(await app.get(Reconciler).run()).toEqual({ removedOverdue: 0, removedOutside: 0 });
  });
});
