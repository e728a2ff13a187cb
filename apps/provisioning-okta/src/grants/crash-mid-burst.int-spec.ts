import { randomUUID } from 'node:crypto';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { FakeOkta, freePort, serviceTestEnv, ServiceProcess, TopicReader, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';

const GROUP = '00gcrashgroup0000001';
const BURST = 300;

/** provisioning-okta as its own process, SIGKILLed in the middle of a burst and started again. */
describe('a crash in the middle of a burst of grants', () => {
  let testEnv: ServiceTestEnv;
  let okta: FakeOkta;
  let service: ServiceProcess;
  let connection: KafkaConnection;
  let reader: TopicReader;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('crashburst');
    okta = await new FakeOkta().start();
    okta.addGroup(GROUP);
    for (let i = 0; i < BURST; i++) okta.addUser(`crash${i}@example.com`);
    okta.latencyMs = 5; // long enough for the kill to land mid-way
    service = new ServiceProcess('provisioning-okta', 'apps/provisioning-okta/src/main.ts', await freePort(), {
      ...testEnv.env,
      OKTA_ORG_URL: okta.url,
      OKTA_API_TOKEN: okta.apiToken,
    });
    await service.start();
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger: createLogger({ service: 'test', level: 'silent' }), topicPrefix: testEnv.topicPrefix });
    reader = await new TopicReader(testEnv.brokers).start([testEnv.topicPrefix + TOPICS.provisioningEvents]);
  });
  afterAll(async () => {
    await reader?.stop();
    await connection?.close();
    await service?.stop();
    await okta?.stop();
    await testEnv?.database.drop();
  });

  it('loses nothing and does nothing twice after the restart', async () => {
    const commands = Array.from({ length: BURST }, (_, i) => {
      const requestId = randomUUID();
      return createEnvelope(
        'provisioning.grant',
        requestId,
        { requestId, grantId: randomUUID(), user: { email: `crash${i}@example.com` }, oktaGroupId: GROUP, flow: 'f', target: 't', durationSeconds: 3600 },
        { source: 'approval' },
      );
    });
    await new KafkaPublisher(connection).publish(commands.map((c) => outgoing(c)));
    const granted = () => new Set(reader.on(testEnv.topicPrefix + TOPICS.provisioningEvents).map((m) => m.json<Envelope<{ grantId: string }>>()).filter((e) => e.type === 'provisioning.granted').map((e) => e.data.grantId));
    await waitFor(() => granted().size >= 30, { what: 'the burst to be under way' });
    await service.kill();
    expect(granted().size).toBeLessThan(BURST);
    await service.start();

    await waitFor(() => granted().size === BURST, { what: `all ${BURST} grants after the restart`, timeoutMs: 90000, intervalMs: 250 });
    for (let i = 0; i < BURST; i++) expect(okta.isMember(GROUP, `crash${i}@example.com`)).toBe(true);
    const db = new Client({ connectionString: testEnv.database.url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS grants, count(DISTINCT grant_id)::int AS distinct_grants FROM provisioning.grants WHERE state = 'granted'`);
      expect(rows[0]).toEqual({ grants: BURST, distinct_grants: BURST });
    } finally {
      await db.end();
    }
    // At most the grants in flight at the kill were asked of Okta twice (an idempotent PUT):
    // the consumer runs up to 16 messages at once (KafkaConsumerServer's maxInFlight default).
    const puts = okta.log.filter((l) => l.method === 'PUT').length;
    expect(puts).toBeGreaterThanOrEqual(BURST);
    expect(puts).toBeLessThanOrEqual(BURST + 16);
  });
});
