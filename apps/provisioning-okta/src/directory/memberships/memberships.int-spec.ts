import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@gatehouse/config';
import { KafkaConnection, KafkaRequester, RemoteError, startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { FakeOkta, serviceTestEnv, type ServiceTestEnv } from '@gatehouse/testing';
import { AppModule } from '../../app.module';
import { envSchema, SERVICE } from '../../config';

const logger = createLogger({ service: 'test', level: 'silent' });
const APPROVERS = '00gdbaapprovers00001';
const ONCALL = '00goncallsre00000001';

async function startApp(testEnv: ServiceTestEnv, okta?: FakeOkta): Promise<INestApplication> {
  const config = loadConfig(envSchema, { ...testEnv.env, ...(okta ? { OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken } : {}) });
  return startService({ service: SERVICE, module: AppModule.register(config, logger), logger, port: 0 });
}

describe('provisioning-okta directory over Kafka request/reply', () => {
  let testEnv: ServiceTestEnv;
  let okta: FakeOkta;
  let app: INestApplication;
  let connection: KafkaConnection;
  let requester: KafkaRequester;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('directory');
    okta = await new FakeOkta().start();
    app = await startApp(testEnv, okta);
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    requester = new KafkaRequester(connection, `dir-test-${randomUUID().slice(0, 8)}`, logger);
    await requester.start();
  });
  afterAll(async () => {
    await requester?.stop();
    await connection?.close();
    await app?.close();
    await okta?.stop();
    await testEnv?.database.drop();
  });

  const ask = (email: string, groupIds: string[]) => requester.request('directory.memberships', email, { email, groupIds }, { timeoutMs: 10000 });

  it('answers which of the asked groups a person is in, and asks Okta once per person while cached', async () => {
    const dba = okta.addUser('dba@example.com');
    okta.addGroup(APPROVERS);
    okta.addGroup(ONCALL);
    okta.addMember(APPROVERS, dba.id);
    expect(await ask('dba@example.com', [APPROVERS, ONCALL])).toEqual({ memberOf: [APPROVERS] });
    expect(await ask('DBA@example.com', [ONCALL])).toEqual({ memberOf: [] });
    expect(okta.log.filter((l) => l.path.includes(dba.id) && l.path.endsWith('/groups'))).toHaveLength(1);
  });

  it('lists every member of a group across pages, and finds a user by email', async () => {
    const group = '00gbiggroup000000001';
    okta.addGroup(group);
    for (let i = 0; i < 205; i++) okta.addMember(group, okta.addUser(`member${i}@example.com`).id);
    const { members } = await requester.request('directory.group_members', group, { groupId: group }, { timeoutMs: 10000 });
    expect(members).toHaveLength(205);
    expect(members[0]).toMatchObject({ email: 'member0@example.com', status: 'ACTIVE' });
    const { user } = await requester.request('directory.user', 'member7@example.com', { email: 'member7@example.com' }, { timeoutMs: 10000 });
    expect(user?.email).toBe('member7@example.com');
    expect((await requester.request('directory.user', 'x@example.com', { email: 'x@example.com' }, { timeoutMs: 10000 })).user).toBeNull();
  });

  it('answers no groups for someone Okta does not know', async () => {
    expect(await ask('stranger@example.com', [APPROVERS])).toEqual({ memberOf: [] });
  });

  it('says what to configure when Okta is not set up', async () => {
    const bare = await serviceTestEnv('directorybare');
    const unconfigured = await startApp(bare);
    const c = new KafkaConnection({ clientId: 'test2', brokers: bare.brokers, logger, topicPrefix: bare.topicPrefix });
    const r = new KafkaRequester(c, `dir-test-${randomUUID().slice(0, 8)}`, logger);
    await r.start();
    try {
      const reply = r.request('directory.memberships', 'a@example.com', { email: 'a@example.com', groupIds: [APPROVERS] }, { timeoutMs: 10000 });
      await expect(reply).rejects.toThrow(RemoteError);
      await expect(r.request('directory.memberships', 'a@example.com', { email: 'a@example.com', groupIds: [APPROVERS] }, { timeoutMs: 10000 })).rejects.toThrow(
        /set OKTA_ORG_URL and OKTA_API_TOKEN/,
      );
    } finally {
      await r.stop();
      await c.close();
      await unconfigured.close();
      await bare.database.drop();
    }
  });
});
