import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { parseAuditDestinations } from '@gatehouse/config';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * A backlog shipped to a batched webhook goes several batches a transaction (one cursor move).
 * When a later batch of such a transaction fails, the batches before it were taken: the cursor
 * moves past them, and they are not sent again.
 */
describe('a webhook catching up on a backlog', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let db: Client;
  let server: Server;
  const logger = createLogger({ service: 'test', level: 'silent' });
  let up = false;
  /** Answers the receiver gives once up, before its usual 200s. */
  const script: number[] = [];
  /** Every answer given to a batch since it came up, in order. */
  const answers: number[] = [];
  /** Record ids the receiver took (answered 200), in arrival order. */
  const taken: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ids = Buffer.concat(chunks)
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { id: string }).id);
        const status = up ? (script.shift() ?? 200) : 503;
        if (up) answers.push(status);
        if (status === 200) taken.push(...ids);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const destinations = parseAuditDestinations(`destinations:
  - name: backlog-hook
    type: webhook
    url: http://127.0.0.1:${(server.address() as AddressInfo).port}/audit
    body: ndjson
    batchSize: 5
`).destinations;
    testEnv = await serviceTestEnv('audithookbatches');
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    db = new Client({ connectionString: testEnv.database.url });
    await db.connect();
    app = await startAuditReporting({ ...testEnv.env, AUDIT_DESTINATION_RETRY_MAX_MS: '300' }, logger, destinations);
  });
  afterAll(async () => {
    await app?.close();
    await db?.end();
    await connection?.close();
    await testEnv?.database.drop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('keeps the batches taken before a failed one, and sends each record once', async () => {
    const events = Array.from({ length: 23 }, (_, i) => accessRequested(undefined, `INC-${i}`));
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM audit.records`)).rows[0].n === 23, { what: '23 records in the chain while the receiver is down', timeoutMs: 30000 });

    // Back up: takes two batches, fails the third once, then takes the rest.
    script.push(200, 200, 503);
    up = true;
    await waitFor(() => taken.length >= 23, { what: 'every record at the receiver', timeoutMs: 30000 });
    await waitFor(async () => (await db.query(`SELECT delivered::int AS n FROM audit.destination_cursors WHERE name = 'backlog-hook'`)).rows[0].n === 23, { what: '23 delivered on the cursor' });

    expect(answers.slice(0, 3)).toEqual([200, 200, 503]);
    expect(answers.slice(3).every((status) => status === 200)).toBe(true);
    // The ten records of the first two batches were not sent again after the third failed.
    expect(taken).toHaveLength(23);
    expect(new Set(taken)).toEqual(new Set(events.map((e) => e.id)));
    const [{ seqs }] = (await db.query(`SELECT array_agg(id::text ORDER BY seq) AS seqs FROM audit.records`)).rows as { seqs: string[] }[];
    expect(taken).toEqual(seqs);
  });
});
