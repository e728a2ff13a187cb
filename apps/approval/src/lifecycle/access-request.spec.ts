import { randomUUID } from 'node:crypto';
import { systemActor, type Actor, type Envelope } from '@gatehouse/contracts';
import { createEnvelope } from '@gatehouse/messaging';
import { AccessRequest, type OpenRequest } from './access-request';

const person = (email: string): Actor => ({ kind: 'person', channel: 'slack', person: { email } });
const cause: Envelope = createEnvelope('flows.list', 'test', { principal: { actor: person('x@example.com'), scopes: [] } }, { source: 'test' });

function open(over: Partial<OpenRequest> = {}): AccessRequest {
  return AccessRequest.open(
    {
      id: randomUUID(),
      requester: { email: 'Dev@Example.com' },
      requestedBy: person('dev@example.com'),
      flow: 'prod-db',
      target: 'read-only',
      targetLabel: 'Read-only',
      oktaGroupId: '00gprdbreadonly00001',
      durationSeconds: 1800,
      reason: 'INC-1',
      approvalsRequired: 2,
      timeoutSeconds: 3600,
      ...over,
    },
    cause,
    new Date('2026-11-22T10:00:00Z'),
  );
}

/** The request as a handler finds it later: loaded from what was saved. */
function reload(request: AccessRequest): AccessRequest {
  const view = request.view();
  return AccessRequest.rehydrate(
    { ...request.snapshot(), ...request.changes() },
    view.decisions.map((d) => ({ approver_email: d.approverEmail, kind: d.kind, reason: d.reason ?? null, decided_at: d.decidedAt, actor: d.actor ?? null })),
  );
}

const types = (request: AccessRequest) => request.events.map((e) => e.type);

describe('AccessRequest', () => {
  it('opens PENDING, announces who asked, and arms its timeout', () => {
    const request = open();
    expect(request.status).toBe('PENDING');
    expect(types(request)).toEqual(['access.requested']);
    expect(request.events[0].data).toMatchObject({ requester: { email: 'Dev@Example.com' }, actor: person('dev@example.com'), status: 'PENDING' });
    expect(request.timerChanges).toEqual([{ op: 'arm', kind: 'timeout', dueAt: new Date('2026-11-22T11:00:00Z') }]);
  });

  it("arms the flow's reminder and escalation with its timeout, and closes all three once decided", () => {
    const request = open({ remindAfterSeconds: 1200, escalateAfterSeconds: 2400 });
    expect(request.timerChanges).toEqual([
      { op: 'arm', kind: 'timeout', dueAt: new Date('2026-11-22T11:00:00Z') },
      { op: 'arm', kind: 'remind', dueAt: new Date('2026-11-22T10:20:00Z') },
      { op: 'arm', kind: 'escalate', dueAt: new Date('2026-11-22T10:40:00Z') },
    ]);
    expect(open({ remindAfterSeconds: 1200, autoApproved: true }).timerChanges.map((t) => 'kind' in t && t.kind)).toEqual(['timeout']);
    const later = reload(request);
    later.decide({ actor: person('lead@example.com'), approver: { email: 'lead@example.com' }, kind: 'deny', reason: 'no' }, cause);
    expect(later.timerChanges).toEqual([
      { op: 'close', kind: 'timeout' },
      { op: 'close', kind: 'remind' },
      { op: 'close', kind: 'escalate' },
    ]);
  });

  it('reminds and escalates only while pending, and escalates once', () => {
    const request = reload(open());
    request.remindApprovers();
    expect(request.events.map((e) => [e.type, e.data])).toEqual([['access.approvers_reminded', expect.objectContaining({ approvals: 0, required: 2, waitingSince: '2026-11-22T10:00:00.000Z' })]]);
    expect(request.forPolicy().escalated).toBe(false);
    request.escalate({ users: ['oncall@example.com'], groups: [] });
    request.escalate({ users: ['oncall@example.com'], groups: [] });
    expect(types(request)).toEqual(['access.approvers_reminded', 'access.escalated']);
    expect(reload(request).forPolicy().escalated).toBe(true);

    const cancelled = reload(open());
    cancelled.cancel(person('dev@example.com'), cause);
    cancelled.remindApprovers();
    cancelled.escalate({ users: ['oncall@example.com'], groups: [] });
    expect(types(cancelled)).toEqual(['access.cancelled']);
  });

  it('counts approvals up to the threshold, then approves and asks for the grant', () => {
    const request = reload(open());
    expect(request.decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'approve' }, cause)).toEqual({ accepted: true, result: 'recorded' });
    expect(request.status).toBe('PENDING');
    expect(request.decide({ actor: person('b@example.com'), approver: { email: 'b@example.com' }, kind: 'approve' }, cause)).toEqual({ accepted: true, result: 'approved' });
    expect(request.status).toBe('GRANTING');
    expect(types(request)).toEqual(['access.decision.recorded', 'access.approved', 'access.granting', 'provisioning.grant']);
    expect(request.events[1].data).toMatchObject({ actor: person('b@example.com'), approvers: [{ email: 'a@example.com' }, { email: 'b@example.com' }] });
    expect(request.changes()).toMatchObject({ status: 'GRANTING', grant_id: expect.any(String) });
    expect(request.timerChanges).toEqual([
      { op: 'close', kind: 'timeout' },
      { op: 'close', kind: 'remind' },
      { op: 'close', kind: 'escalate' },
    ]);
  });

  it('needs a reason to deny, and then ends the request', () => {
    const request = reload(open());
    expect(request.decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'deny', reason: ' ' }, cause)).toMatchObject({ accepted: false, code: 'reason_required' });
    expect(request.decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'deny', reason: 'freeze' }, cause)).toEqual({ accepted: true, result: 'denied' });
    expect(request.status).toBe('DENIED');
    expect(request.events.map((e) => e.data)).toEqual([expect.objectContaining({ reason: 'freeze', actor: person('a@example.com'), status: 'DENIED' })]);
  });

  it('answers a late decision with who decided and when', () => {
    const request = reload(open({ approvalsRequired: 1 }));
    request.decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'approve' }, cause, new Date('2026-11-22T10:05:00Z'));
    const later = reload(request);
    expect(later.decide({ actor: person('b@example.com'), approver: { email: 'b@example.com' }, kind: 'approve' }, cause)).toEqual({
      accepted: false,
      code: 'already_decided',
      message: 'already approved by a@example.com at 2026-11-22T10:05:00.000Z',
    });
    expect(later.events).toEqual([]);
  });

  it('says a cancelled or timed-out request can no longer be decided', () => {
    const cancelled = reload(open());
    expect(cancelled.cancel(person('dev@example.com'), cause)).toBeUndefined();
    expect(reload(cancelled).decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'approve' }, cause)).toEqual({
      accepted: false,
      code: 'not_pending',
      message: 'the request is cancelled, so it can no longer be decided',
    });
    const timedOut = reload(open());
    timedOut.timeOut(new Date('2026-11-22T11:00:00Z'));
    expect(timedOut.status).toBe('TIMED_OUT');
    expect(timedOut.events[0].data).toMatchObject({ afterSeconds: 3600, actor: systemActor('timer') });
  });

  it('goes straight to granting when a rule approves it, naming the rule as the actor', () => {
    const request = open();
    request.approveByRule({ rule: 'target', detail: 'target "read-only" needs no approval' }, request.events[0]);
    expect(request.status).toBe('GRANTING');
    expect(types(request)).toEqual(['access.requested', 'access.approved', 'access.granting', 'provisioning.grant']);
    expect(request.events[1].data).toMatchObject({ actor: systemActor('auto-approval'), approvers: [] });
  });

  it('runs the grant to its end: active, revoked by a person, ended naming them', () => {
    const approved = reload(open({ approvalsRequired: 1 }));
    approved.decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'approve' }, cause);
    const granting = reload(approved);
    expect(granting.revoke(person('dev@example.com'), cause)).toBe('the request is granting; only active access can be revoked');
    granting.granted(new Date('2026-11-22T10:10:00Z'), cause);
    expect(granting.changes()).toMatchObject({ status: 'ACTIVE', expires_at: new Date('2026-11-22T10:40:00Z') });
    const active = reload(granting);
    expect(active.revoke(person('dev@example.com'), cause)).toBeUndefined();
    expect(types(active)).toEqual(['access.revoking', 'provisioning.revoke']);
    const ending = reload(active);
    expect(ending.revoke(person('a@example.com'), cause)).toBe('access is already being taken away (revoked)');
    ending.revoked(new Date('2026-11-22T10:20:00Z'), cause);
    expect(ending.status).toBe('REVOKED');
    expect(ending.events[0].data).toMatchObject({ status: 'REVOKED', actor: person('dev@example.com') });
  });

  it('warns the flow\'s expiryWarning before access ends, once active, and never once it is ending', () => {
    const approved = reload(open({ approvalsRequired: 1, durationSeconds: 1800 }));
    approved.decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'approve' }, cause);
    const granting = reload(approved);
    granting.granted(new Date('2026-11-22T10:10:00Z'), cause, 900);
    expect(granting.timerChanges).toContainEqual({ op: 'arm', kind: 'warn', dueAt: new Date('2026-11-22T10:25:00Z') });
    const active = reload(granting);
    active.warnOfExpiry();
    expect(types(active)).toEqual(['access.expiring']);
    expect(active.events[0]?.data).toMatchObject({ expiresAt: '2026-11-22T10:40:00.000Z', actor: systemActor('timer'), status: 'ACTIVE' });
    const ending = reload(active);
    ending.revoke(person('a@example.com'), cause);
    expect(ending.timerChanges).toContainEqual({ op: 'close', kind: 'warn' });
    const revoking = reload(ending);
    revoking.warnOfExpiry();
    expect(revoking.events).toEqual([]);
  });

  it('arms no warning when the warning would come before the grant or is off', () => {
    for (const warn of [0, 3600]) {
      const approved = reload(open({ approvalsRequired: 1, durationSeconds: 1800 }));
      approved.decide({ actor: person('a@example.com'), approver: { email: 'a@example.com' }, kind: 'approve' }, cause);
      const granting = reload(approved);
      granting.granted(new Date('2026-11-22T10:10:00Z'), cause, warn);
      expect(granting.timerChanges.filter((c) => c.kind === 'warn')).toEqual([]);
    }
  });

  it('refuses a move its lifecycle does not allow', () => {
    expect(() => reload(open()).granted(new Date(), cause)).toThrow('illegal transition PENDING → ACTIVE');
  });
});
