import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { parseAuditDestinations } from '@gatehouse/config';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { CHECKPOINT_TYPE, checkpointInLine } from '../checkpoints/checkpoint-event';
import { Checkpointer } from '../checkpoints/checkpointer';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * A backlog shipped to a batched webhook goes several batches a transaction (one cursor move),
 * the signed checkpoints among its records. When a later batch of such a transaction fails, the
 * batches before it were taken: the cursor moves past them (and past their checkpoints), and
 * they are not sent again.
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
  /** Sizes of the signed checkpoints it took, in arrival order. */
  const checkpoints: string[] = [];
  /** What it took, in order: `r<sequence>` for a record, `c<size>` for a checkpoint. */
  const arrived: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const lines = Buffer.concat(chunks)
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { id: string; type: string; sequence: string });
        const status = up ? (script.shift() ?? 200) : 503;
        if (up) answers.push(status);
        if (status !== 200) return res.writeHead(status).end();
        for (const line of lines) {
          const size = line.type === CHECKPOINT_TYPE ? (checkpointInLine(line)?.size ?? 'unreadable') : undefined;
          if (size) checkpoints.push(size);
          else taken.push(line.id);
          arrived.push(size ? `c${size}` : `r${line.sequence}`);
        }
        res.writeHead(200).end();
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
    const signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    // Checkpoints are made by the test (below), between rounds of records; never by the timer.
    app = await startAuditReporting(
      { ...testEnv.env, AUDIT_DESTINATION_RETRY_MAX_MS: '300', AUDIT_SIGNING_KEY: signingKey, AUDIT_CHECKPOINT_EVERY: '1000000', AUDIT_CHECKPOINT_INTERVAL_MS: '86400000' },
      logger,
      destinations,
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.end();
    await connection?.close();
    await testEnv?.database.drop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('keeps the batches taken before a failed one, and sends each record and checkpoint once', async () => {
    // 23 records while the receiver is down, a signed checkpoint every 4 and one of all 23:
    // several fall inside the batches of one transaction.
    const events = Array.from({ length: 23 }, (_, i) => accessRequested(undefined, `INC-${i}`));
    for (let from = 0; from < events.length; from += 4) {
      const to = Math.min(events.length, from + 4);
      await new KafkaPublisher(connection).publish(events.slice(from, to).map((e) => outgoing(e)));
      await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM audit.records`)).rows[0].n === to, { what: `${to} records in the chain`, timeoutMs: 30000 });
      // Forced (the timer's own tick may be running at that moment: then asked again).
      await waitFor(async () => (await app.get(Checkpointer).tick(true)) === String(to) || (await db.query(`SELECT 1 FROM audit.checkpoints WHERE size = $1`, [to])).rowCount === 1, { what: `the checkpoint of ${to} records` });
    }

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
    // Every checkpoint made, once each, in order; the cursor past the last one.
    const made = (await db.query(`SELECT size::text AS s FROM audit.checkpoints ORDER BY size`)).rows.map((r: { s: string }) => r.s);
    await waitFor(() => checkpoints.length >= made.length, { what: 'every checkpoint at the receiver' });
    expect(made).toEqual(['4', '8', '12', '16', '20', '23']);
    expect(checkpoints).toEqual(made);
    // Each right after the record it ends on, also across the batches of one transaction.
    for (const size of made) expect(arrived[arrived.indexOf(`c${size}`) - 1]).toBe(`r${size}`);
    expect((await db.query(`SELECT delivered_checkpoint::text AS c FROM audit.destination_cursors WHERE name = 'backlog-hook'`)).rows[0].c).toBe(made.at(-1));
  });
});
