import { gunzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import { parseAuditDestinations } from '@gatehouse/config';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { FakeS3, serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * S3-compatible storage through the AWS SDK, against a fake that checks Signature Version 4 in
 * full: gzip JSON-lines objects under keys made of each batch's sequences, every record once in
 * chain order through SlowDown answers; a wrong secret pauses the destination and says why.
 */
describe('audit records shipped to S3', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let db: Client;
  const logger = createLogger({ service: 'test', level: 'silent' });
  const s3 = new FakeS3();

  beforeAll(async () => {
    await s3.start();
    s3.createBucket('audit-archive');
    process.env['AUDIT_TEST_S3_KEY'] = s3.accessKeyId;
    process.env['AUDIT_TEST_S3_SECRET'] = s3.secretAccessKey;
    process.env['AUDIT_TEST_S3_WRONG_SECRET'] = 'not-the-secret';
    const destinations = parseAuditDestinations(`destinations:
  - name: archive
    type: s3
    bucket: audit-archive
    region: ${s3.region}
    endpoint: ${s3.url}
    forcePathStyle: true
    keyTemplate: "gatehouse/{destination}/{yyyy}/{MM}/{dd}/{first}-{last}.jsonl.gz"
    credentials: { accessKeyIdEnv: AUDIT_TEST_S3_KEY, secretAccessKeyEnv: AUDIT_TEST_S3_SECRET }
    serverSideEncryption: AES256
    batchSize: 25
  - name: misconfigured
    type: s3
    bucket: audit-archive
    region: ${s3.region}
    endpoint: ${s3.url}
    forcePathStyle: true
    credentials: { accessKeyIdEnv: AUDIT_TEST_S3_KEY, secretAccessKeyEnv: AUDIT_TEST_S3_WRONG_SECRET }
`).destinations;
    testEnv = await serviceTestEnv('audits3');
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    db = new Client({ connectionString: testEnv.database.url });
    await db.connect();
    // Busy from the start: S3 asks to slow down, twice (the SDK retries once, the shipper again).
    const slowDown = { status: 503, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' };
    s3.failNext(slowDown, slowDown);
    app = await startAuditReporting({ ...testEnv.env, AUDIT_DESTINATION_RETRY_MAX_MS: '500' }, logger, destinations);
  });
  afterAll(async () => {
    await app?.close();
    await db?.end();
    await connection?.close();
    await testEnv?.database.drop();
    await s3.stop();
  });

  it('writes each batch as a gzip JSON-lines object under its sequences, every record once, in order', async () => {
    const events = Array.from({ length: 60 }, (_, i) => accessRequested(undefined, `INC-${i}`));
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    await waitFor(async () => (await db.query(`SELECT delivered::int AS n FROM audit.destination_cursors WHERE name = 'archive'`)).rows[0]?.n === 60, { what: '60 records in S3', timeoutMs: 30000 });
    const objects = [...s3.objects('audit-archive').entries()].filter(([key]) => key.startsWith('gatehouse/archive/')).sort(([a], [b]) => a.localeCompare(b));
    const lines = objects.flatMap(([, o]) => gunzipSync(o.body).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; sequence: string }));
    const chain = (await db.query(`SELECT id FROM audit.records ORDER BY seq`)).rows.map((r: { id: string }) => r.id);
    expect(lines.map((l) => l.id)).toEqual(chain);
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    expect(objects[0]?.[0]).toMatch(new RegExp(`^gatehouse/archive/${today}/000000000001-0000000000\\d\\d\\.jsonl\\.gz$`));
    expect(objects.every(([, o]) => o.contentEncoding === 'gzip' && o.contentType === 'application/x-ndjson' && o.serverSideEncryption === 'AES256')).toBe(true);
    expect(objects[0]?.[1].metadata).toMatchObject({ 'gatehouse-first-sequence': '1' });
    expect(s3.requests.filter((r) => r.status === 503)).toHaveLength(2);
  });

  it('pauses a destination whose secret S3 refuses, and says why', async () => {
    const cursor = await waitFor(
      async () => {
        const row = (await db.query(`SELECT state, last_error FROM audit.destination_cursors WHERE name = 'misconfigured'`)).rows[0] as { state: string; last_error: string } | undefined;
        return row?.state === 'paused' ? row : undefined;
      },
      { what: 'the misconfigured destination paused', timeoutMs: 20000 },
    );
    expect(cursor.last_error).toContain('SignatureDoesNotMatch');
    expect([...s3.objects('audit-archive').keys()].some((key) => !key.startsWith('gatehouse/archive/'))).toBe(false);
  });
});
