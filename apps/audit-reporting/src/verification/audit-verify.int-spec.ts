import { generateKeyPairSync } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAuditDestinations } from '@gatehouse/config';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { runTs, serviceTestEnv, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Checkpointer, insertCheckpoint } from '../checkpoints/checkpointer';
import { CHECKPOINT_TYPE, checkpointInLine } from '../checkpoints/checkpoint-event';
import { checkpointsBetween } from '../destinations/checkpoints-between';
import { storedLines } from '../destinations/stored-lines';
import { readStoredRows } from '../destinations/stored-rows';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * The audit trail in PostgreSQL is append-only, and `gatehouse audit verify` catches what a
 * superuser with the triggers switched off could still do: an edited payload, a deleted row, two
 * records swapped, the tail cut off — each named with its kind and the first record it touches.
 */
describe('a tamper-evident audit trail on real PostgreSQL', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let db: Client;
  const logger = createLogger({ service: 'test', level: 'silent' });
  // The signing key lives with the service, never in the database; verify needs only the public half.
  const keys = generateKeyPairSync('ed25519');
  const signingKey = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const verifyKey = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  // A file destination: the copy outside the database, with the signed checkpoints in it.
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-anchors-'));
  const shipped = path.join(dir, 'audit.jsonl');
  const destinations = parseAuditDestinations(`destinations:\n  - name: archive\n    type: file\n    format: json\n    path: ${shipped}\n`).destinations;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('auditverify');
    const env = { ...testEnv.env, AUDIT_SIGNING_KEY: signingKey, AUDIT_CHECKPOINT_EVERY: '5' };
    app = await startAuditReporting(env, logger, destinations);
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    db = new Client({ connectionString: testEnv.database.url });
    await db.connect();
    // Checkpoints of 5, 10 and 12 records (every 5, and what is left when its interval comes:
    // here, at once), so some fall inside the chain, not only at its end.
    for (const [from, to] of [[0, 5], [5, 10], [10, 12]] as const) {
      const events = Array.from({ length: to - from }, (_, i) => accessRequested(undefined, `INC-${from + i}`));
      await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
      await waitFor(async () => Number((await db.query('SELECT count(*) FROM audit.records')).rows[0].count) === to, { what: `${to} records`, timeoutMs: 30000 });
      // Forced (the timer's own tick may be running at that moment: then asked again).
      await waitFor(async () => (await app.get(Checkpointer).tick(true)) === String(to) || (await db.query(`SELECT 1 FROM audit.checkpoints WHERE size = $1`, [to])).rowCount === 1, { what: `the checkpoint of ${to} records` });
    }
    await waitFor(async () => (await db.query(`SELECT 1 FROM audit.checkpoints WHERE size = 12`)).rowCount === 1, { what: 'the checkpoint of all 12 records' });
    await waitFor(() => shippedLines().some((l) => l['type'] === 'gatehouse.audit.checkpoint' && l['size'] === '12'), { what: 'the last checkpoint shipped to the file' });
  });
  const shippedLines = (): Record<string, unknown>[] => {
    try {
      return readFileSync(shipped, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    } catch {
      return [];
    }
  };
  afterAll(async () => {
    await db?.end();
    await connection?.close();
    await app?.close();
    await testEnv?.database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = async (...args: string[]): Promise<{ code: number | null; out: string }> => {
    const child = runTs('apps/gateway/src/cli/main.ts', ['audit', 'verify', ...args], { DATABASE_URL: testEnv.database.url, AUDIT_VERIFY_KEY: verifyKey });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, out };
  };
  /** What someone with the database's superuser could do: switch the triggers off for the session. */
  const tamper = async (sql: string) => {
    await db.query('BEGIN');
    try {
      await db.query('SET LOCAL session_replication_role = replica');
      await db.query(sql);
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  };
  const problemIn = (out: string) => JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { kind: string; seq: string };
  const snapshot = async () => ({
    records: (await db.query('SELECT * FROM audit.records ORDER BY seq')).rows as Record<string, unknown>[],
    head: (await db.query('SELECT seq, hash FROM audit.chain_head')).rows[0] as { seq: string; hash: string },
    checkpoints: (await db.query('SELECT * FROM audit.checkpoints ORDER BY size')).rows as Record<string, unknown>[],
  });
  const restore = async ({ records: rows, head, checkpoints }: Awaited<ReturnType<typeof snapshot>>) => {
    await db.query('BEGIN');
    await db.query('SET LOCAL session_replication_role = replica');
    await db.query('DELETE FROM audit.checkpoints');
    for (const c of checkpoints) {
      await db.query(`INSERT INTO audit.checkpoints (size, root, head_hash, created_at, key_id, signature, frontier) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [c['size'], c['root'], c['head_hash'], c['created_at'], c['key_id'], c['signature'], JSON.stringify(c['frontier'])]);
    }
    await db.query('UPDATE audit.chain_head SET seq = $1, hash = $2', [head.seq, head.hash]);
    await db.query('DELETE FROM audit.records');
    for (const row of rows) {
      await db.query(
        `INSERT INTO audit.records (seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [row['seq'], row['id'], row['type'], row['subject'], row['correlation_id'], row['event_time'], row['recorded_at'], row['record'], row['hash'], row['previous_hash']],
      );
    }
    await db.query('COMMIT');
  };

  it('drains a backlog from the table as the text each record is stored as, each checkpoint right after the record it ends on', async () => {
    // What a cloudevents destination with no filter is sent when it catches up (after an outage,
    // a restart): records 4..11, with the checkpoints of 5 and 10 among them.
    const manager = app.get(DataSource).manager;
    const page = storedLines({ seq: '3', checkpoint: '0' }, await readStoredRows(manager, '3', 8), await checkpointsBetween(manager, '0', '1000'));
    // Read back in bulk, records are their stored bytes; checkpoints are made here, as text.
    const lines = (page?.lines ?? []).map((line) => line.toString());
    const labels = lines.map((line) => {
      const event = JSON.parse(line) as { type: string; sequence: string };
      return event.type === CHECKPOINT_TYPE ? `checkpoint of ${checkpointInLine(event)?.size}` : event.sequence;
    });
    expect(labels).toEqual(['4', '5', 'checkpoint of 5', '6', '7', '8', '9', '10', 'checkpoint of 10', '11']);
    const stored = (await db.query(`SELECT record::text AS text FROM audit.records WHERE seq BETWEEN 4 AND 11 ORDER BY seq`)).rows.map((r: { text: string }) => r.text);
    expect(lines.filter((line) => !line.includes(CHECKPOINT_TYPE))).toEqual(stored);
    expect(page).toMatchObject({ records: 8, reached: '11', lastCheckpoint: '10' });
    expect(lines).toHaveLength(10);
    // Past the last record, the checkpoint of all 12 (made of records already shipped) goes on its own; then nothing is left.
    const tail = storedLines({ seq: '12', checkpoint: '10' }, await readStoredRows(manager, '12', 8), await checkpointsBetween(manager, '10', '1000'));
    expect(tail).toMatchObject({ records: 0, reached: '12', lastCheckpoint: '12' });
    expect(tail?.lines).toHaveLength(1);
    expect(checkpointInLine(JSON.parse(tail?.lines[0]?.toString() ?? '{}'))?.size).toBe('12');
    expect(storedLines({ seq: '12', checkpoint: '12' }, await readStoredRows(manager, '12', 8), await checkpointsBetween(manager, '12', '1000'))).toBeUndefined();
  });

  it('stores no checkpoint smaller than one already stored, so checkpoints commit in size order whichever replica makes them', async () => {
    // Another replica's checkpoint of 11 records, made before the one of 12 committed but late
    // to commit: a destination that already has the 12 would never be sent it.
    const late = { size: '11', root: 'a'.repeat(64), headHash: 'b'.repeat(64), createdAt: new Date().toISOString(), keyId: 'k' };
    expect(await insertCheckpoint(app.get(DataSource), late, 'signature', { size: '11', subtrees: [] })).toBe(false);
    expect((await db.query(`SELECT size::int AS size FROM audit.checkpoints ORDER BY size`)).rows.map((r: { size: number }) => r.size)).toEqual([5, 10, 12]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit records, whoever asks', async () => {
    await expect(db.query(`UPDATE audit.records SET type = 'nothing' WHERE seq = 1`)).rejects.toThrow('audit records are append-only: UPDATE');
    await expect(db.query(`DELETE FROM audit.records WHERE seq = 1`)).rejects.toThrow('audit records are append-only: DELETE');
    await expect(db.query(`TRUNCATE audit.records`)).rejects.toThrow('audit records are append-only: TRUNCATE');
  });

  it('verifies an intact chain', async () => {
    const { code, out } = await verify();
    expect(out).toContain('✓ 12 records verified');
    expect(out).toMatch(/matches all \d+ signed checkpoints/);
    expect(code).toBe(0);
  });

  it.each([
    ['an edited payload', `UPDATE audit.records SET record = jsonb_set(record::jsonb, '{data,message}', '"nothing happened"') WHERE seq = 5`, { kind: 'hash_mismatch', seq: '5' }],
    ['a deleted row', `DELETE FROM audit.records WHERE seq = 7`, { kind: 'gap', seq: '8' }],
    ['two records swapped', `UPDATE audit.records SET seq = -3 WHERE seq = 3; UPDATE audit.records SET seq = 3 WHERE seq = 4; UPDATE audit.records SET seq = 4 WHERE seq = -3`, { kind: 'reorder', seq: '3' }],
    ['the tail cut off', `DELETE FROM audit.records WHERE seq > 10`, { kind: 'truncated', seq: '11' }],
    [
      'the tail cut off with the chain head rewritten to match (only the signed checkpoint knows)',
      `DELETE FROM audit.records WHERE seq > 10; UPDATE audit.chain_head SET seq = 10, hash = (SELECT hash FROM audit.records WHERE seq = 10)`,
      { kind: 'truncated', seq: '11' },
    ],
    ['a forged checkpoint', `INSERT INTO audit.checkpoints SELECT 13, root, head_hash, created_at, key_id, signature, frontier FROM audit.checkpoints WHERE size = 12`, { kind: 'bad_signature', seq: '13' }],
  ])('detects %s, naming the first bad record, and exits 1', async (_what, sql, expected) => {
    const before = await snapshot();
    await tamper(sql);
    try {
      const { code, out } = await verify();
      expect(problemIn(out)).toMatchObject(expected);
      expect(out).toContain(`✗ ${expected.kind} at record ${expected.seq}`);
      expect(code).toBe(1);
    } finally {
      await restore(before);
    }
    expect((await verify()).code).toBe(0);
  });

  it('ships every signed checkpoint to the destinations, where it still catches a database rewritten to hide a cut tail', async () => {
    const anchors = shippedLines().filter((l) => l['type'] === 'gatehouse.audit.checkpoint');
    const stored = (await db.query(`SELECT size::text AS size_text FROM audit.checkpoints ORDER BY size`)).rows.map((r: { size_text: string }) => r.size_text);
    expect(anchors.map((l) => l['size'])).toEqual(stored);
    // In the chain's order: a checkpoint never before the record it ends on.
    const order = shippedLines().map((l) => (l['type'] === 'gatehouse.audit.checkpoint' ? `c${String(l['size'])}` : String(l['sequence'])));
    expect(order.slice(-2)).toEqual(['12', 'c12']);
    expect(await verify('--anchors', shipped)).toMatchObject({ code: 0, out: expect.stringContaining(`(${anchors.length} of them from 1 anchor file)`) });

    // A superuser cuts the last three records, rewrites the head to match and removes the
    // checkpoints that knew better: the database alone now looks intact…
    const before = await snapshot();
    await tamper(`DELETE FROM audit.records WHERE seq > 9; UPDATE audit.chain_head SET seq = 9, hash = (SELECT hash FROM audit.records WHERE seq = 9); DELETE FROM audit.checkpoints WHERE size > 9`);
    try {
      expect((await verify()).code).toBe(0);
      // …but the checkpoints the destination holds do not.
      const { code, out } = await verify('--anchors', shipped);
      expect(problemIn(out)).toMatchObject({ kind: 'truncated', seq: '10' });
      expect(code).toBe(1);
    } finally {
      await restore(before);
    }
  });
});
