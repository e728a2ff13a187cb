import { evaluateDecision, type DecisionContext, type PriorDecision } from './decision-rules';
import { APPROVER_GROUP, flowFrom } from './policy.fixtures';

const at = new Date('2026-11-22T10:00:00Z');
const approved = (email: string): PriorDecision => ({ approverEmail: email, kind: 'approve', decidedAt: at });
const denied = (email: string): PriorDecision => ({ approverEmail: email, kind: 'deny', decidedAt: at });

const groupFlow = flowFrom(`      approvers:\n        groups: [${APPROVER_GROUP}]\n`);
const twoPartyFlow = flowFrom(`      approvers:\n        users: [alice@example.com, bob@example.com, carol@example.com]\n      required: 2\n`);
const selfFlow = flowFrom(`      approvers:\n        users: [alice@example.com]\n      allowSelfApproval: true\n`);

const pending = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  requesterEmail: 'dev@example.com',
  status: 'PENDING',
  priorDecisions: [],
  approverGroups: [],
  ...over,
});

describe('evaluateDecision', () => {
  it.each([
    // flow, decision, context, expected
    ['a group member approves', groupFlow, { approverEmail: 'dba@example.com', kind: 'approve' }, pending({ approverGroups: [APPROVER_GROUP] }), { accepted: true, result: 'approved', approvals: 1, required: 1 }],
    ['someone outside the approver groups', groupFlow, { approverEmail: 'eve@example.com', kind: 'approve' }, pending(), { accepted: false, code: 'not_an_approver' }],
    ['a listed approver, email case aside', twoPartyFlow, { approverEmail: 'Alice@Example.com', kind: 'approve' }, pending(), { accepted: true, result: 'recorded', approvals: 1, required: 2 }],
    ['the second distinct approval completes multi-party', twoPartyFlow, { approverEmail: 'bob@example.com', kind: 'approve' }, pending({ priorDecisions: [approved('alice@example.com')] }), { accepted: true, result: 'approved', approvals: 2 }],
    ['the same approver twice does not count twice', twoPartyFlow, { approverEmail: 'alice@example.com', kind: 'approve' }, pending({ priorDecisions: [approved('Alice@example.com')] }), { accepted: false, code: 'duplicate', message: expect.stringContaining('1 more approval') }],
    ['self-approval refused by default', groupFlow, { approverEmail: 'dev@example.com', kind: 'approve' }, pending({ approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'self_approval' }],
    ['self-approval when the flow allows it', selfFlow, { approverEmail: 'alice@example.com', kind: 'approve' }, pending({ requesterEmail: 'alice@example.com' }), { accepted: true, result: 'approved' }],
    ['self-denial is refused like self-approval', groupFlow, { approverEmail: 'dev@example.com', kind: 'deny', reason: 'x' }, pending({ approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'self_approval' }],
    ['a deny ends the request even mid-way through multi-party', twoPartyFlow, { approverEmail: 'bob@example.com', kind: 'deny', reason: 'not during the freeze' }, pending({ priorDecisions: [approved('alice@example.com')] }), { accepted: true, result: 'denied', approvals: 1 }],
    ['a deny without a reason', groupFlow, { approverEmail: 'dba@example.com', kind: 'deny', reason: ' ' }, pending({ approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'reason_required' }],
    ['an outsider cannot deny either', groupFlow, { approverEmail: 'eve@example.com', kind: 'deny', reason: 'no' }, pending(), { accepted: false, code: 'not_an_approver' }],
    ['a late click on an approved request names who and when', groupFlow, { approverEmail: 'dba2@example.com', kind: 'approve' }, pending({ status: 'APPROVED', priorDecisions: [approved('dba@example.com')], approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'already_decided', message: 'already approved by dba@example.com at 2026-11-22T10:00:00.000Z' }],
    ['a late click on a denied request', groupFlow, { approverEmail: 'dba2@example.com', kind: 'approve' }, pending({ status: 'DENIED', priorDecisions: [denied('dba@example.com')] }), { accepted: false, code: 'already_decided', message: expect.stringContaining('already denied by dba@example.com') }],
    ['a late click once access is active still names the approver', groupFlow, { approverEmail: 'dba2@example.com', kind: 'approve' }, pending({ status: 'ACTIVE', priorDecisions: [approved('dba@example.com')], approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'already_decided', message: 'already approved by dba@example.com at 2026-11-22T10:00:00.000Z' }],
    ['an auto-approved request has no approver to name', groupFlow, { approverEmail: 'dba2@example.com', kind: 'approve' }, pending({ status: 'GRANTING', approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'not_pending', message: 'the request is granting, so it can no longer be decided' }],
    ['a cancelled request', groupFlow, { approverEmail: 'dba@example.com', kind: 'approve' }, pending({ status: 'CANCELLED', approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'not_pending', message: 'the request is cancelled, so it can no longer be decided' }],
    ['a timed-out request', groupFlow, { approverEmail: 'dba@example.com', kind: 'deny', reason: 'x' }, pending({ status: 'TIMED_OUT', approverGroups: [APPROVER_GROUP] }), { accepted: false, code: 'not_pending', message: expect.stringContaining('timed out') }],
  ] as const)('%s', (_label, flow, decision, context, expected) => {
    expect(evaluateDecision(flow, decision, context)).toMatchObject(expected);
  });

  it('is decided by a listed user even without any group', () => {
    const mixed = flowFrom(`      approvers:\n        groups: [${APPROVER_GROUP}]\n        users: [alice@example.com]\n`);
    expect(evaluateDecision(mixed, { approverEmail: 'alice@example.com', kind: 'approve' }, pending())).toMatchObject({ accepted: true, result: 'approved' });
  });
});
