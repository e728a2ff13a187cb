import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FlowsFileError, flowsJsonSchema, loadFlowsFile, parseFlows } from './load-flows';

const ROOT = path.resolve(__dirname, '../../../../..');

function problemsOf(yaml: string) {
  try {
    parseFlows(yaml, 'flows.yaml');
  } catch (error) {
    if (error instanceof FlowsFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the flows to be rejected');
}

const valid = `flows:
  - name: prod-db
    targets:
      - id: read-only
        label: Read-only
        oktaGroupId: 00gprdbreadonly00001
    durations: [30m, 1h]
    approval:
      approvers:
        groups: [00gdbaapprovers00001]
`;

describe('flows as code', () => {
  it('loads the example file with durations in seconds and defaults filled in', () => {
    const { flows } = loadFlowsFile(path.join(ROOT, 'docs/examples/flows.yaml'));
    const db = flows.find((f) => f.name === 'production-database');
    expect(db?.durations).toEqual([1800, 3600, 7200, 28800]);
    expect(db?.targets[1].maxDuration).toBe(7200);
    expect(db?.approval.required).toBe(1);
    expect(flows.find((f) => f.name === 'staging')?.timeout).toBe(86400);
  });

  it('applies safe defaults: one approval, no self-approval, reason required', () => {
    const [flow] = parseFlows(valid).flows;
    expect(flow.approval).toMatchObject({ required: 1, allowSelfApproval: false });
    expect(flow.reason.required).toBe(true);
  });

  it('reads reminders and escalation, and refuses an escalation with nobody to escalate to', () => {
    const [flow] = parseFlows(valid.replace('        groups: [00gdbaapprovers00001]\n', '        groups: [00gdbaapprovers00001]\n      remindAfter: 2h\n      escalateAfter: 4h\n      backupApprovers:\n        users: [oncall@example.com]\n')).flows;
    expect(flow.approval).toMatchObject({ remindAfter: 7200, escalateAfter: 14400, backupApprovers: { users: ['oncall@example.com'], groups: [] } });
    expect(problemsOf(valid.replace('        groups: [00gdbaapprovers00001]\n', '        groups: [00gdbaapprovers00001]\n      escalateAfter: 4h\n'))).toEqual([
      expect.objectContaining({ field: 'flows[0].approval.backupApprovers', message: expect.stringContaining('needs backup approvers') }),
    ]);
    expect(problemsOf(valid.replace('        groups: [00gdbaapprovers00001]\n', '        groups: [00gdbaapprovers00001]\n      remindAfter: 2d\n'))).toEqual([
      expect.objectContaining({ field: 'flows[0].approval.remindAfter', message: expect.stringContaining("shorter than the flow's timeout") }),
    ]);
  });

  it('names the file, line, column and field of each problem', () => {
    const problems = problemsOf(valid.replace('00gprdbreadonly00001', 'not-a-group').replace('[30m, 1h]', '[30m, soon]'));
    expect(problems).toEqual([
      expect.objectContaining({ file: 'flows.yaml', line: 6, column: 22, field: 'flows[0].targets[0].oktaGroupId', message: expect.stringContaining('Okta group id') }),
      expect.objectContaining({ line: 7, field: 'flows[0].durations[1]', message: expect.stringContaining('"30m"') }),
    ]);
  });

  it('points a missing field at its parent and says it is required', () => {
    const problems = problemsOf(valid.replace('        label: Read-only\n', ''));
    expect(problems).toEqual([expect.objectContaining({ line: 4, field: 'flows[0].targets[0].label', message: 'is required (string)' })]);
  });

  it.each([
    ['an unknown key (a typo)', valid.replace('durations:', 'duration:'), 'flows[0]', /duration/],
    ['a duplicate target', valid.replace('    durations', '      - id: read-only\n        label: Again\n        oktaGroupId: 00gprdbreadonly00002\n    durations'), 'flows[0].targets[1].id', /listed twice/],
    ['no approvers while approval is needed', valid.replace('      approvers:\n        groups: [00gdbaapprovers00001]\n', '      required: 1\n'), 'flows[0].approval.approvers', /approver/],
    ['more approvals than listed approvers', valid.replace('groups: [00gdbaapprovers00001]', 'users: [a@example.com]\n      required: 2'), 'flows[0].approval.required', /only 1/],
    ['auto-approval of a target that does not exist', valid.replace('    approval:\n', '    approval:\n      autoApprove:\n        targets: [nope]\n'), 'flows[0].approval.autoApprove.targets[0]', /no target "nope"/],
    ['an invalid reason pattern', valid.replace('    approval:\n', '    reason:\n      pattern: "(unclosed"\n    approval:\n'), 'flows[0].reason.pattern', /regular expression/],
  ])('rejects %s', (_label, yaml, field, message) => {
    expect(problemsOf(yaml)).toContainEqual(expect.objectContaining({ field, message: expect.stringMatching(message) }));
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('flows:\n  - name: [oops\n')).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/^YAML syntax/) })]);
  });

  it('says so when the file cannot be read', () => {
    expect(() => loadFlowsFile('/nonexistent/flows.yaml')).toThrow(/flows.yaml:1:1 cannot read the file \(ENOENT\)/);
  });

  it('keeps the checked-in JSON Schema in step with the validator (npm run flows:schema regenerates it)', () => {
    const checkedIn = JSON.parse(readFileSync(path.join(ROOT, 'docs/flows.schema.json'), 'utf8'));
    expect(checkedIn).toEqual(flowsJsonSchema());
  });
});
