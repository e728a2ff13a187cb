import { randomUUID } from 'node:crypto';
import { TOPICS } from '@gatehouse/contracts';
import { createEnvelope } from '@gatehouse/messaging';
import { personPrincipal, waitFor } from '@gatehouse/testing';
import { ApprovalFixture } from '../../test/approval-fixture';
import { SubmitDecisionHandler } from './submit-decision.handler';

const APPROVERS = Array.from({ length: 20 }, (_, i) => `dba${i + 1}@example.com`);

describe('approval: decisions on the real broker and database', () => {
  let fx: ApprovalFixture;

  beforeAll(async () => {
    fx = await ApprovalFixture.start();
  });
  afterAll(async () => {
    await fx?.stop();
  });

  async function pendingRequest(flow = 'production-database', target = 'read-only', durationSeconds = 1800): Promise<string> {
    const reply = await fx.create({ flow, target, durationSeconds });
    if (reply.outcome !== 'created') throw new Error(JSON.stringify(reply));
    return reply.request.id;
  }

  it('20 approvers clicking at once over Kafka: exactly one approval, one event, the rest told who and when', async () => {
    const id = await pendingRequest();
    const replies = await Promise.all(APPROVERS.map((email) => fx.decide(id, email)));
    const winners = replies.filter((r) => r.accepted);
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    if (!winner.accepted) throw new Error('unreachable');
    expect(winner).toMatchObject({ result: 'approved', request: { status: 'GRANTING' } });
    const approver = winner.request.decisions[0].approverEmail;
    const at = winner.request.decisions[0].decidedAt;
    for (const loser of replies.filter((r) => !r.accepted)) {
      expect(loser).toEqual({ accepted: false, code: 'already_decided', message: `already approved by ${approver} at ${at}` });
    }
    await waitFor(() => fx.events(id, 'access.refused').length === 19, { what: '19 refusals in the audit stream' });
    await waitFor(() => fx.events(id, 'provisioning.grant', TOPICS.provisioningCommands).length === 1, { what: 'the grant command' });
    expect(fx.events(id, 'access.approved')).toHaveLength(1);
    expect(fx.events(id, 'provisioning.grant', TOPICS.provisioningCommands)).toHaveLength(1);
  });

  it('20 decisions racing inside the service (no partition ordering to help): still exactly one outcome', async () => {
    const id = await pendingRequest();
    const handler = fx.app.get(SubmitDecisionHandler);
    const replies = await Promise.all(
      APPROVERS.map((email, i) =>
        handler.handle(
          createEnvelope(
            'access.decision.submit',
            id,
            { requestId: id, principal: personPrincipal(email), kind: i % 2 === 0 ? 'approve' : 'deny', reason: 'race' },
            { source: 'test' },
          ),
        ),
      ),
    );
    expect(replies.filter((r) => r.accepted)).toHaveLength(1);
    const [{ count }] = await fx.db.query(`SELECT count(*)::int AS count FROM approval.decisions WHERE request_id = $1`, [id]);
    expect(count).toBe(1);
    await waitFor(() => fx.events(id, 'access.approved').length + fx.events(id, 'access.denied').length === 1, { what: 'the one outcome' });
  });

  const decision = (id: string, email: string, kind: 'approve' | 'deny' = 'approve') =>
    createEnvelope('access.decision.submit', id, { requestId: id, principal: personPrincipal(email), kind, reason: 'on call' }, { source: 'test' });

  it('30 decisions on 30 requests at once share transactions, and each is made exactly once', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => pendingRequest()));
    const handler = fx.app.get(SubmitDecisionHandler);
    // Some as an API caller may send them: the uuid in upper case.
    const replies = await Promise.all(ids.map((id, i) => handler.handle(decision(i % 4 === 1 ? id.toUpperCase() : id, APPROVERS[i % 20], i % 3 === 0 ? 'deny' : 'approve'))));
    replies.forEach((reply, i) => expect(reply).toMatchObject({ accepted: true, result: i % 3 === 0 ? 'denied' : 'approved', request: { id: ids[i] } }));
    const rows: { request_id: string; tx: string }[] = await fx.db.query(`SELECT request_id, xmin::text AS tx FROM approval.decisions WHERE request_id = ANY($1)`, [ids]);
    expect(rows.map((r) => r.request_id).sort()).toEqual([...ids].sort());
    // Fewer transactions than decisions: they were made in groups.
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(30);
    for (const [i, id] of ids.entries()) {
      await waitFor(() => fx.events(id, i % 3 === 0 ? 'access.denied' : 'access.approved').length === 1, { what: `the outcome of request ${i}` });
    }
    await waitFor(() => ids.filter((_, i) => i % 3 !== 0).every((id) => fx.events(id, 'provisioning.grant', TOPICS.provisioningCommands).length === 1), { what: 'a grant command per approval' });
    expect(ids.flatMap((id) => [...fx.events(id, 'access.approved'), ...fx.events(id, 'access.denied')])).toHaveLength(30);
  });

  it('a redelivered decision in a group is answered as the first time, not decided again; the others are made once', async () => {
    const [a, b, c] = await Promise.all([pendingRequest(), pendingRequest(), pendingRequest()]);
    const handler = fx.app.get(SubmitDecisionHandler);
    const first = decision(a, 'dba1@example.com');
    const firstReply = await handler.handle(first);
    expect(firstReply).toMatchObject({ accepted: true, result: 'approved' });
    const replies = await Promise.all([handler.handle(decision(b, 'dba2@example.com')), handler.handle(first), handler.handle(decision(c, 'dba3@example.com'))]);
    expect(replies[1]).toEqual(firstReply);
    expect(replies[0]).toMatchObject({ accepted: true, result: 'approved', request: { id: b } });
    expect(replies[2]).toMatchObject({ accepted: true, result: 'approved', request: { id: c } });
    const [{ count }] = await fx.db.query(`SELECT count(*)::int AS count FROM approval.decisions WHERE request_id = ANY($1)`, [[a, b, c]]);
    expect(count).toBe(3);
    // b and c were still made together, in the group's one transaction (not one by one).
    const [{ transactions }] = await fx.db.query(`SELECT count(DISTINCT xmin::text)::int AS transactions FROM approval.decisions WHERE request_id = ANY($1)`, [[b, c]]);
    expect(transactions).toBe(1);
    await waitFor(() => [b, c].every((id) => fx.events(id, 'access.approved').length === 1), { what: 'b and c approved' });
    // The redelivery was not decided again: no refusal ("already approved") answered or audited.
    expect(fx.events(a, 'access.refused')).toEqual([]);
    expect(fx.events(a, 'access.approved')).toHaveLength(1);
  });

  it("a decision that needs the directory leaves its group to ask it; the others are made without waiting for it", async () => {
    // The fixture has no provisioning-okta: the directory question waits out its 10 s.
    const created = await fx.create({ flow: 'group-approved', target: 'console', durationSeconds: 3600, reason: '' }, 2000);
    if (created.outcome !== 'created') throw new Error(JSON.stringify(created));
    const [b, c] = await Promise.all([pendingRequest(), pendingRequest()]);
    const handler = fx.app.get(SubmitDecisionHandler);
    const needsDirectory = handler.handle(decision(created.request.id, 'dora@example.com'));
    const others = Promise.all([handler.handle(decision(b, 'dba4@example.com')), handler.handle(decision(c, 'dba5@example.com'))]);
    const first = await Promise.race([others.then(() => 'others'), needsDirectory.then(() => 'the directory decision')]);
    expect(first).toBe('others');
    expect(await others).toMatchObject([{ accepted: true, result: 'approved' }, { accepted: true, result: 'approved' }]);
    expect(await needsDirectory).toMatchObject({ accepted: false, code: 'directory_unavailable' });
    const [{ count }] = await fx.db.query(`SELECT count(*)::int AS count FROM approval.decisions WHERE request_id = $1`, [created.request.id]);
    expect(count).toBe(0);
  }, 30_000);

  it('counts distinct approvers for multi-party approval', async () => {
    const id = await pendingRequest('aws-admin', 'admin', 3600);
    expect(await fx.decide(id, 'cto@example.com')).toMatchObject({ accepted: true, result: 'recorded', request: { status: 'PENDING', approvals: { count: 1, required: 2 } } });
    expect(await fx.decide(id, 'CTO@example.com')).toMatchObject({ accepted: false, code: 'duplicate' });
    expect(await fx.decide(id, 'ciso@example.com')).toMatchObject({ accepted: true, result: 'approved', request: { status: 'GRANTING', approvals: { count: 2, required: 2 } } });
    const approved = await waitFor(() => fx.events(id, 'access.approved')[0], { what: 'access.approved' });
    expect(approved.data).toMatchObject({ approvers: [{ email: 'cto@example.com' }, { email: 'ciso@example.com' }] });
  });

  it('a deny ends the request; a later approval is told it was denied', async () => {
    const id = await pendingRequest();
    expect(await fx.decide(id, 'dba1@example.com', 'deny')).toMatchObject({ accepted: false, code: 'reason_required' });
    expect(await fx.decide(id, 'dba1@example.com', 'deny', 'not during the freeze')).toMatchObject({ accepted: true, result: 'denied', request: { status: 'DENIED' } });
    expect(await fx.decide(id, 'dba2@example.com')).toMatchObject({ accepted: false, code: 'already_decided', message: expect.stringMatching(/^already denied by dba1@example.com at /) });
    const denied = await waitFor(() => fx.events(id, 'access.denied')[0], { what: 'access.denied' });
    expect(denied.data).toMatchObject({ reason: 'not during the freeze', actor: { kind: 'person', channel: 'api', person: { email: 'dba1@example.com' } } });
  });

  it('refuses outsiders, self-approval and unknown requests with reasons, and audits the refusals', async () => {
    const id = await pendingRequest();
    expect(await fx.decide(id, 'eve@example.com')).toEqual({ accepted: false, code: 'not_an_approver', message: 'eve@example.com is not an approver of flow "production-database"' });
    const own = await fx.create({ principal: personPrincipal('dba3@example.com') });
    if (own.outcome !== 'created') throw new Error('not created');
    expect(await fx.decide(own.request.id, 'dba3@example.com')).toMatchObject({ accepted: false, code: 'self_approval' });
    expect(await fx.decide(randomUUID(), 'dba1@example.com')).toMatchObject({ accepted: false, code: 'not_found' });
    const refused = await waitFor(() => fx.events(id, 'access.refused')[0], { what: 'the refusal event' });
    expect(refused.data).toMatchObject({ action: 'request.approve', code: 'not_an_approver', actor: { kind: 'person', person: { email: 'eve@example.com' } } });
  });

  it("asks the directory no longer than its caller waits: a silent directory is reported, not waited out", async () => {
    // group-approved's approvers and auto-approvers are Okta groups; no provisioning-okta answers
    // here, and the fixture lets approval wait 10 s for it. Callers waiting 2 s and 1.5 s hear
    // in time: the request is made (auto-approval fails closed), the decision told why not.
    const created = await fx.create({ flow: 'group-approved', target: 'console', durationSeconds: 3600, reason: '' }, 2000);
    expect(created).toMatchObject({ outcome: 'created', request: { status: 'PENDING' } });
    if (created.outcome !== 'created') throw new Error(JSON.stringify(created));
    const id = created.request.id;
    const reply = await fx.requester.request('access.decision.submit', id, { requestId: id, principal: personPrincipal('dora@example.com'), kind: 'approve' }, { timeoutMs: 1500 });
    expect(reply).toMatchObject({ accepted: false, code: 'directory_unavailable', message: expect.stringContaining('cannot check Okta group membership right now') });
  });
});
