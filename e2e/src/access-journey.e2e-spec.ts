import { GatehouseSystem, waitFor } from '@gatehouse/testing';
import { Client } from 'pg';

const GROUP = '00gprdbreadonly00001';

/**
 * The whole journey with the five services as processes, the fake Okta, real Kafka and
 * PostgreSQL: asked, approved, the membership appears, the time runs out, it is gone, and
 * every step is in the audit trail in order.
 */
describe('access journey: request → approval → Okta membership → expiry → removal → audit', () => {
  let system: GatehouseSystem;
  let token: string;
  let db: Client;

  beforeAll(async () => {
    system = await GatehouseSystem.start('journey');
    // A ticketing integration acting for the people it names: a service token holding act-as.
    token = await system.mintToken({ service: 'journey-ticketing' }, ['requests:write', 'requests:read-all', 'decisions:write', 'audit:read', 'act-as']);
    system.okta.addGroup(GROUP);
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${system.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const statusOf = async (id: string) => ((await api('GET', `/api/v1/requests/${id}`)).body.request as { status: string }).status;

  async function requestAndApprove(email: string): Promise<string> {
    const created = await api('POST', '/api/v1/requests', {
      requester: { email },
      flow: 'production-database',
      target: 'read-only',
      durationSeconds: 1800,
      reason: 'INC-77 replica lag',
    });
    expect(created.status).toBe(201);
    const id = (created.body.request as { id: string }).id;
    expect((await api('POST', `/api/v1/requests/${id}/approve`, { approver: { email: 'dba1@example.com' } })).status).toBe(200);
    return id;
  }

  /** The expiry falls due now (rather than in 30 minutes); approval's timer poller does the rest. */
  const expireNow = (id: string) => db.query(`UPDATE approval.timers SET due_at = now() WHERE request_id = $1 AND kind = 'expire' AND fired_at IS NULL`, [id]);

  it('grants at once, removes when the time is up, and audits every step in order', async () => {
    system.okta.addUser('ada@example.com');
    const id = await requestAndApprove('ada@example.com');
    await waitFor(async () => (await statusOf(id)) === 'ACTIVE', { what: 'ACTIVE', timeoutMs: 20000 });
    expect(system.okta.isMember(GROUP, 'ada@example.com')).toBe(true);

    await expireNow(id);
    await waitFor(async () => (await statusOf(id)) === 'EXPIRED', { what: 'EXPIRED', timeoutMs: 20000 });
    expect(system.okta.isMember(GROUP, 'ada@example.com')).toBe(false);

    const trail = await waitFor(
      async () => {
        const records = ((await api('GET', `/api/v1/audit?requestId=${id}`)).body.records ?? []) as { type: string }[];
        return records.some((r) => r.type === 'access.ended') && records.some((r) => r.type === 'provisioning.revoked') ? records.map((r) => r.type) : undefined;
      },
      { what: 'the full audit trail' },
    );
    // The request's own events in order; the Okta membership added and removed (provisioning's
    // reports, on their own topic) land among them.
    expect(trail.filter((t) => t.startsWith('access.'))).toEqual(['access.requested', 'access.approved', 'access.granting', 'access.activated', 'access.revoking', 'access.ended']);
    expect(trail.filter((t) => t.startsWith('provisioning.'))).toEqual(['provisioning.granted', 'provisioning.revoked']);
  });

  it('ends the same way with provisioning-okta killed in the middle, and nothing done twice', async () => {
    system.okta.addUser('bo@example.com');
    const provisioning = system.services['provisioning-okta'];
    await provisioning.kill(); // a crash: the grant command waits in Kafka
    const id = await requestAndApprove('bo@example.com');
    expect(await statusOf(id)).toBe('GRANTING');
    await provisioning.start();
    await waitFor(async () => (await statusOf(id)) === 'ACTIVE', { what: 'ACTIVE after the restart', timeoutMs: 30000 });
    expect(system.okta.isMember(GROUP, 'bo@example.com')).toBe(true);

    await expireNow(id);
    await waitFor(async () => (await statusOf(id)) === 'EXPIRED', { what: 'EXPIRED', timeoutMs: 20000 });
    expect(system.okta.isMember(GROUP, 'bo@example.com')).toBe(false);
    const bo = system.okta.log.filter((l) => l.path.includes('/groups/') && l.method !== 'GET');
    expect(bo.filter((l) => l.method === 'PUT')).toHaveLength(2); // one for ada, one for bo
    const { rows } = await db.query(`SELECT state FROM provisioning.grants WHERE request_id = $1`, [id]);
    expect(rows).toEqual([{ state: 'revoked' }]);
  });
});
