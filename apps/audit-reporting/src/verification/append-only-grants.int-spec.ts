import type { INestApplication } from '@nestjs/common';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * audit-reporting run as an ordinary role, as in production: it owns its schema (it ran the
 * migrations), appends records, and still may not UPDATE, DELETE or TRUNCATE them — refused by
 * its grants before any trigger runs — nor switch the triggers off.
 */
describe('the service role may only append to the audit trail', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication | undefined;
  let connection: KafkaConnection;
  let admin: Client;
  let asService: Client;
  let role: string;
  const logger = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    testEnv = await serviceTestEnv('auditgrants');
    role = `${testEnv.database.name}_svc`.slice(0, 63);
    admin = new Client({ connectionString: testEnv.database.url });
    await admin.connect();
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    await admin.query(`GRANT CREATE ON DATABASE "${testEnv.database.name}" TO "${role}"`);
    const url = new URL(testEnv.database.url);
    url.username = role;
    app = await startAuditReporting({ ...testEnv.env, DATABASE_URL: url.toString() }, logger);
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    await new KafkaPublisher(connection).publish([outgoing(accessRequested())]);
    asService = new Client({ connectionString: url.toString() });
    await asService.connect();
    await waitFor(async () => Number((await asService.query('SELECT count(*) FROM audit.records')).rows[0].count) === 1, { what: 'the record appended by the service role' });
  });
  afterAll(async () => {
    await asService?.end();
    await connection?.close();
    await app?.close();
    await admin?.end();
    await testEnv?.database.drop();
    const cleanup = new Client({ connectionString: testEnv.database.url.replace(/\/[^/]+$/, '/postgres') });
    await cleanup.connect();
    await cleanup.query(`DROP ROLE IF EXISTS "${role}"`);
    await cleanup.end();
  });

  it('owns the tables it made, and is refused UPDATE, DELETE and TRUNCATE by its grants', async () => {
    expect((await admin.query(`SELECT tableowner FROM pg_tables WHERE schemaname = 'audit' AND tablename = 'records'`)).rows[0]).toEqual({ tableowner: role });
    for (const sql of [`UPDATE audit.records SET type = 'x'`, `DELETE FROM audit.records`, `TRUNCATE audit.records`, `DELETE FROM audit.checkpoints`]) {
      await expect(asService.query(sql)).rejects.toThrow(/permission denied for table (records|checkpoints)/);
    }
  });

  it('cannot switch the triggers off either', async () => {
    await expect(asService.query(`SET session_replication_role = replica`)).rejects.toThrow(/permission denied to set parameter/);
  });
});
