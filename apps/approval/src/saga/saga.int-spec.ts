import { randomUUID } from 'node:crypto';
import { createEnvelope, outgoing } from '@gatehouse/messaging';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { personPrincipal, waitFor } from '@gatehouse/testing';
import { ApprovalFixture } from '../test/approval-fixture';
import { TimerPoller } from '../timers/timer-poller';

describe('approval saga and timers on the real broker and database', () => {
  let fx: ApprovalFixture;

  beforeAll(async () => {
    fx = await ApprovalFixture.start();
  });
  afterAll(async () => {
    await fx?.stop();
  });

  const provisioningCommands = (requestId: string, type: string) =>
    fx.reader
      .on(fx.testEnv.topicPrefix + TOPICS.provisioningCommands)
      .map((m) => m.json<Envelope>())
      .filter((e) => e.subject === requestId && e.type === type);

  /** provisioning-okta's side of the saga, played by the test. */
  async function report(type: 'provisioning.granted' | 'provisioning.grant_failed' | 'provisioning.revoked', requestId: string, grantId: string, extra: Record<string, string>) {
    await fx.publisher.publish([outgoing(createEnvelope(type, requestId, { requestId, grantId, ...extra } as never, { source: 'provisioning-okta' }))]);
  }

  async function approvedRequest(): Promise<{ id: string; grantId: string }> {
    const created = await fx.create();
    if (created.outcome !== 'created') throw new Error('not created');
    const id = created.request.id;
    await fx.decide(id, 'dba1@example.com');
    const [grant] = await waitFor(() => (provisioningCommands(id, 'provisioning.grant').length ? provisioningCommands(id, 'provisioning.grant') : undefined), {
      what: 'the grant command',
    });
    return { id, grantId: (grant.data as { grantId: string }).grantId };
  }

  const status = async (id: string): Promise<string> => (await fx.db.query('SELECT status FROM approval.access_requests WHERE id = $1', [id]))[0].status;

  it('approved → grant command → granted → ACTIVE with its expiry → expiry → revoke → EXPIRED', async () => {
    const { id, grantId } = await approvedRequest();
    const [grant] = provisioningCommands(id, 'provisioning.grant');
    expect(grant.data).toMatchObject({ user: { email: 'grace@example.com' }, oktaGroupId: '00gprdbreadonly00001', durationSeconds: 1800 });

    const grantedAt = new Date();
    await report('provisioning.granted', id, grantId, { grantedAt: grantedAt.toISOString() });
    await waitFor(async () => (await status(id)) === 'ACTIVE', { what: 'ACTIVE' });
    const [row] = await fx.db.query('SELECT expires_at FROM approval.access_requests WHERE id = $1', [id]);
    expect(new Date(row.expires_at).getTime()).toBe(grantedAt.getTime() + 1800 * 1000);

    // Time passes: the expiry falls due.
    await fx.db.query(`UPDATE approval.timers SET due_at = now() - interval '1 second' WHERE request_id = $1 AND kind = 'expire'`, [id]);
    await fx.app.get(TimerPoller).tick();
    const [revoke] = await waitFor(() => (provisioningCommands(id, 'provisioning.revoke').length ? provisioningCommands(id, 'provisioning.revoke') : undefined), {
      what: 'the revoke command',
    });
    expect(revoke.data).toMatchObject({ grantId, why: 'expired', oktaGroupId: '00gprdbreadonly00001' });
    expect(await status(id)).toBe('ACTIVE'); // still has access until provisioning confirms

    await report('provisioning.revoked', id, grantId, { revokedAt: new Date().toISOString() });
    await waitFor(async () => (await status(id)) === 'EXPIRED', { what: 'EXPIRED' });
    // The row is committed before its event is published and read back: wait for the event.
    await waitFor(() => fx.events(id).some((e) => e.type === 'access.ended'), { what: 'access.ended' });
    const types = fx.events(id).map((e) => e.type);
    expect(types).toEqual(['access.requested', 'access.approved', 'access.granting', 'access.activated', 'access.revoking', 'access.ended']);
    // Every event names its actor: Grace asked, dba1 approved, provisioning granted, the timer ended it.
    const actors = Object.fromEntries(fx.events(id).map((e) => [e.type, (e.data as { actor: unknown }).actor]));
    expect(actors).toEqual({
      'access.requested': { kind: 'person', channel: 'api', person: { email: 'Grace@Example.com' } },
      'access.approved': { kind: 'person', channel: 'api', person: { email: 'dba1@example.com' } },
      'access.granting': { kind: 'person', channel: 'api', person: { email: 'dba1@example.com' } },
      'access.activated': { kind: 'system', channel: 'system', component: 'provisioning' },
      'access.revoking': { kind: 'system', channel: 'system', component: 'timer' },
      'access.ended': { kind: 'system', channel: 'system', component: 'timer' },
    });
  });

  it('a failed grant ends in GRANT_FAILED with the cause, and a stale report is ignored', async () => {
    const { id, grantId } = await approvedRequest();
    await report('provisioning.granted', id, '00000000-0000-4000-8000-000000000000', { grantedAt: new Date().toISOString() }); // not this grant
    await report('provisioning.grant_failed', id, grantId, { cause: 'Okta user grace@example.com not found (E0000007)' });
    await waitFor(async () => (await status(id)) === 'GRANT_FAILED', { what: 'GRANT_FAILED' });
    const view = await fx.requester.request('access.request.get', id, { requestId: id, principal: personPrincipal('grace@example.com') });
    expect(view).toMatchObject({ ok: true });
    if (view.ok) expect(view.request).toMatchObject({ status: 'GRANT_FAILED', failure: 'Okta user grace@example.com not found (E0000007)', access: null });
  });

  it('an unanswered request times out', async () => {
    const created = await fx.create();
    if (created.outcome !== 'created') throw new Error('not created');
    const id = created.request.id;
    const [timer] = await fx.db.query(`SELECT due_at FROM approval.timers WHERE request_id = $1 AND kind = 'timeout'`, [id]);
    expect(new Date(timer.due_at).getTime() - new Date(created.request.createdAt).getTime()).toBe(4 * 3600 * 1000); // the flow's 4h
    await fx.db.query(`UPDATE approval.timers SET due_at = now() - interval '1 second' WHERE request_id = $1`, [id]);
    await fx.app.get(TimerPoller).tick();
    expect(await status(id)).toBe('TIMED_OUT');
    await waitFor(() => fx.events(id, 'access.timed_out').length === 1, { what: 'access.timed_out' });
    expect(await fx.decide(id, 'dba1@example.com')).toMatchObject({ accepted: false, code: 'not_pending', message: 'the request is timed out, so it can no longer be decided' });
  });

  it('cancel (requester only, while pending) and revoke now (requester, approver or admin, while active)', async () => {
    const created = await fx.create();
    if (created.outcome !== 'created') throw new Error('not created');
    const id = created.request.id;
    const cancel = (email: string) => fx.requester.request('access.request.cancel', id, { requestId: id, principal: personPrincipal(email) });
    expect(await cancel('dba1@example.com')).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringContaining('only the requester (grace@example.com) can cancel') });
    expect(await cancel('grace@example.com')).toMatchObject({ ok: true, request: { status: 'CANCELLED' } });
    const cancelled = await waitFor(() => fx.events(id, 'access.cancelled')[0], { what: 'access.cancelled' });
    expect(cancelled.data).toMatchObject({ actor: { kind: 'person', channel: 'api', person: { email: 'grace@example.com' } } });
    expect(await fx.decide(id, 'dba1@example.com')).toMatchObject({ accepted: false, code: 'not_pending' });

    const active = await approvedRequest();
    await report('provisioning.granted', active.id, active.grantId, { grantedAt: new Date().toISOString() });
    await waitFor(async () => (await status(active.id)) === 'ACTIVE', { what: 'ACTIVE' });
    const revoke = (email: string, admin = false) =>
      fx.requester.request('access.request.revoke', active.id, { requestId: active.id, principal: personPrincipal(email, admin ? { scopes: ['admin'] } : {}) });
    expect(await revoke('eve@example.com')).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await revoke('dba7@example.com')).toMatchObject({ ok: true, request: { status: 'ACTIVE', access: { ending: 'revoked' } } });
    expect(await revoke('eve@example.com', true)).toMatchObject({ ok: false, code: 'wrong_status', message: 'access is already being taken away (revoked)' });
    const revoking = await waitFor(() => fx.events(active.id, 'access.revoking')[0], { what: 'access.revoking' });
    expect(revoking.data).toMatchObject({ why: 'revoked', actor: { kind: 'person', person: { email: 'dba7@example.com' } } });
    const [cmd] = await waitFor(() => (provisioningCommands(active.id, 'provisioning.revoke').length ? provisioningCommands(active.id, 'provisioning.revoke') : undefined), {
      what: 'the revoke command',
    });
    expect(cmd.data).toMatchObject({ why: 'revoked' });
    await report('provisioning.revoked', active.id, active.grantId, { revokedAt: new Date().toISOString() });
    await waitFor(async () => (await status(active.id)) === 'REVOKED', { what: 'REVOKED' });
    const [timers] = await fx.db.query(`SELECT count(*)::int AS open FROM approval.timers WHERE request_id = $1 AND fired_at IS NULL`, [active.id]);
    expect(timers.open).toBe(0);
  });

  it('extends active access through the same policy, and asks again once it has finished', async () => {
    const active = await approvedRequest();
    const followUp = (kind: 'extension' | 'again', email: string, durationSeconds?: number) =>
      fx.requester.request('access.request.follow_up', active.id, {
        requestId: randomUUID(),
        basedOn: active.id,
        kind,
        principal: personPrincipal(email),
        durationSeconds,
      });
    expect(await followUp('extension', 'grace@example.com', 3600)).toMatchObject({ outcome: 'rejected', problems: [{ field: 'basedOn', message: expect.stringContaining('only active access can be extended') }] });

    await report('provisioning.granted', active.id, active.grantId, { grantedAt: new Date().toISOString() });
    await waitFor(async () => (await status(active.id)) === 'ACTIVE', { what: 'ACTIVE' });
    expect(await followUp('extension', 'dba1@example.com', 3600)).toMatchObject({ outcome: 'forbidden', message: expect.stringContaining('only grace@example.com, who asked for it, can extend') });
    expect(await followUp('extension', 'grace@example.com', 5400)).toMatchObject({ outcome: 'rejected', problems: [{ field: 'durationSeconds' }] });
    const extension = await followUp('extension', 'grace@example.com', 3600);
    expect(extension).toMatchObject({ outcome: 'created', request: { status: 'PENDING', flow: 'production-database', target: 'read-only', durationSeconds: 3600, basedOn: { requestId: active.id, kind: 'extension' } } });
    expect(await status(active.id)).toBe('ACTIVE'); // access runs on while the extension waits
    if (extension.outcome !== 'created') return;
    expect(await fx.decide(extension.request.id, 'dba2@example.com')).toMatchObject({ accepted: true, result: 'approved' });

    expect(await followUp('again', 'grace@example.com')).toMatchObject({ outcome: 'rejected', problems: [{ message: expect.stringContaining('once it has finished') }] });
    await fx.requester.request('access.request.revoke', active.id, { requestId: active.id, principal: personPrincipal('grace@example.com') });
    await report('provisioning.revoked', active.id, active.grantId, { revokedAt: new Date().toISOString() });
    await waitFor(async () => (await status(active.id)) === 'REVOKED', { what: 'REVOKED' });
    expect(await followUp('again', 'grace@example.com')).toMatchObject({ outcome: 'created', request: { status: 'PENDING', durationSeconds: 1800, basedOn: { requestId: active.id, kind: 'again' } } });
  });
});
