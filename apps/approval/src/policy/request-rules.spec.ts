import { autoApproval, checkRequest } from './request-rules';
import { APPROVER_GROUP, flowFrom, ONCALL_GROUP } from './policy.fixtures';

const approvers = `      approvers:\n        groups: [${APPROVER_GROUP}]\n`;
const ticketRule = `    reason:\n      pattern: '^(INC|CHG)-[0-9]+'\n      patternHint: start with the ticket, e.g. INC-1234\n`;

describe('checkRequest', () => {
  const flow = flowFrom(approvers, ticketRule);
  const ok = { target: 'read-only', durationSeconds: 3600, reason: 'INC-42 slow queries' };

  it.each([
    ['a valid request', ok, []],
    ['an unknown target', { ...ok, target: 'root' }, [['target', /"root" is not a target of flow "prod-db"; choose one of: read-only, read-write/]]],
    ['a duration the flow does not offer', { ...ok, durationSeconds: 5400 }, [['durationSeconds', /90m is not offered .* choose one of: 30m, 1h, 2h, 8h/]]],
    ['a duration over the target maximum', { ...ok, target: 'read-write', durationSeconds: 28800 }, [['durationSeconds', /"read-write" can be granted for at most 2h/]]],
    ['the target maximum itself', { ...ok, target: 'read-write', durationSeconds: 7200 }, []],
    ['an empty reason', { ...ok, reason: '   ' }, [['reason', /needs a reason/]]],
    ['a reason without a ticket', { ...ok, reason: 'because' }, [['reason', /must start with the ticket, e\.g\. INC-1234/]]],
    ['several problems at once', { target: 'root', durationSeconds: 60, reason: '' }, [['target', /root/], ['durationSeconds', /1m/], ['reason', /needs a reason/]]],
  ])('%s', (_label, input, expected) => {
    const result = checkRequest(flow, input);
    if (expected.length === 0) {
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.field)).toEqual(expected.map(([field]) => field));
      result.problems.forEach((p, i) => expect(p.message).toMatch(expected[i][1] as RegExp));
    }
  });

  it('accepts an empty reason when the flow does not require one', () => {
    const relaxed = flowFrom(approvers, '    reason:\n      required: false\n');
    expect(checkRequest(relaxed, { ...ok, reason: '' }).ok).toBe(true);
  });

  it('without a pattern, any non-empty reason will do', () => {
    expect(checkRequest(flowFrom(approvers), { ...ok, reason: 'looking into a bug' }).ok).toBe(true);
  });
});

describe('autoApproval', () => {
  const auto = `${approvers}      autoApprove:\n        groups: [${ONCALL_GROUP}]\n        users: [Lead@Example.com]\n        targets: [read-only]\n`;
  const flow = flowFrom(auto);

  it.each([
    ['a target that needs no approval', 'read-only', 'dev@example.com', [], { auto: true, rule: 'target' }],
    ['a requester on the allow-list, case aside', 'read-write', 'lead@example.com', [], { auto: true, rule: 'user' }],
    ['a requester in an auto-approve group', 'read-write', 'dev@example.com', [ONCALL_GROUP], { auto: true, rule: 'group' }],
    ['anyone else', 'read-write', 'dev@example.com', ['00gsomethingelse0001'], { auto: false }],
  ])('%s', (_label, target, email, groups, expected) => {
    expect(autoApproval(flow, target, email, groups)).toMatchObject(expected);
  });

  it('approves nothing automatically when the flow has no such rules', () => {
    expect(autoApproval(flowFrom(approvers), 'read-only', 'lead@example.com', [ONCALL_GROUP])).toEqual({ auto: false });
  });
});
