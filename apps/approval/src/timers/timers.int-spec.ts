import { createEnvelope, outgoing } from '@gatehouse/messaging';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { waitFor } from '@gatehouse/testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApprovalFixture } from '../test/approval-fixture';
import { TimerPoller } from './timer-poller';

describe('timers survive restarts and fire once across replicas', () => {
  let fx: ApprovalFixture;

  beforeAll(async () => {
    fx = await ApprovalFixture.start();
  });
  afterAll(async () => {
    await fx?.stop();
  });

  const revokes = () =>
    fx.reader
      .on(fx.testEnv.topicPrefix + TOPICS.provisioningCommands)
      .map((m) => m.json<Envelope>())
      .filter((e) => e.type === 'provisioning.revoke');
  const status = async (id: string): Promise<string> => (await fx.db.query('SELECT status FROM approval.access_requests WHERE id = $1', [id]))[0].status;

  /** Creates, approves and reports granted: an ACTIVE request with an expiry timer. */
  async function activeRequest(): Promise<string> {
    const created = await fx.create();
    if (created.outcome !== 'created') throw new Error('not created');
    const id = created.request.id;
    const decided = await fx.decide(id, 'dba1@example.com');
    if (!decided.accepted) throw new Error(decided.message);
    const [row] = await waitFor(async () => {
      const rows = await fx.db.query(`SELECT grant_id FROM approval.access_requests WHERE id = $1 AND grant_id IS NOT NULL`, [id]);
      return rows.length ? rows : undefined;
    });
    await fx.publisher.publish([
      outgoing(createEnvelope('provisioning.granted', id, { requestId: id, grantId: row.grant_id, grantedAt: new Date().toISOString() }, { source: 'provisioning-okta' })),
    ]);
    await waitFor(async () => (await status(id)) === 'ACTIVE', { what: 'ACTIVE' });
    return id;
  }

  it('revokes, right after start-up, a grant whose expiry passed while approval was stopped', async () => {
    const id = await activeRequest();
    await fx.restart(async () => {
      // While the service is down, the grant's time runs out.
      await fx.db.query(`UPDATE approval.timers SET due_at = now() - interval '5 minutes' WHERE request_id = $1`, [id]);
    });
    await waitFor(() => revokes().some((e) => e.subject === id), { what: 'the revoke after restart', timeoutMs: 20000 });
    expect(revokes().filter((e) => e.subject === id)).toHaveLength(1);
  });

  it('fires each timer exactly once when two replicas poll at the same moment', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await activeRequest());
    const replica: INestApplication = await ApprovalFixture.startApp(fx.testEnv);
    try {
      await fx.db.query(`UPDATE approval.timers SET due_at = now() - interval '1 second' WHERE request_id = ANY($1::uuid[]) AND fired_at IS NULL`, [ids]);
      await Promise.all([fx.app.get(TimerPoller).tick(), replica.get(TimerPoller).tick(), fx.app.get(TimerPoller).tick(), replica.get(TimerPoller).tick()]);
      await waitFor(() => ids.every((id) => revokes().some((e) => e.subject === id)), { what: '30 revoke commands' });
      await new Promise((resolve) => setTimeout(resolve, 500)); // would a double show up late?
      for (const id of ids) expect(revokes().filter((e) => e.subject === id)).toHaveLength(1);
      const [{ open }] = await replica.get(DataSource).query(`SELECT count(*)::int AS open FROM approval.timers WHERE request_id = ANY($1::uuid[]) AND fired_at IS NULL`, [ids]);
      expect(open).toBe(0);
    } finally {
      await replica.close();
    }
  });
});
