import type { RequestView } from '@gatehouse/contracts';
import { approvalMessage, cardOf } from './approval-message';

const pending: RequestView = {
  id: '6f1c7a43-3c39-4a0e-9d3b-0d9d8b0b6a11',
  flow: 'prod-db',
  target: 'read-only',
  targetLabel: 'Read-only',
  durationSeconds: 3600,
  reason: 'INC-1',
  requester: { email: 'ada@example.com', slackUserId: 'U0ADA' },
  channel: 'slack',
  status: 'PENDING',
  approvals: { count: 1, required: 2 },
  decisions: [{ approverEmail: 'dba1@example.com', kind: 'approve', decidedAt: '2026-11-22T10:00:00.000Z' }],
  access: null,
  failure: null,
  basedOn: null,
  createdAt: '2026-11-22T09:59:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
};

const texts = (blocks: Record<string, unknown>[]) => JSON.stringify(blocks);

describe('the approval message', () => {
  it('shows who asks for what, the policy progress, and Approve / Deny while it waits', () => {
    const message = approvalMessage(cardOf(pending));
    expect(message.text).toBe('Access request: ada@example.com asks for Read-only (prod-db) for 1h. 1 of 2 approvals');
    expect(texts(message.blocks)).toContain('<@U0ADA> asks for *Read-only* (prod-db) for 1h');
    expect(texts(message.blocks)).toContain('"action_id":"gatehouse_approve"');
  });

  it('loses its buttons and says what happened once decided', () => {
    const denied = approvalMessage(cardOf({ ...pending, status: 'DENIED', decisions: [...pending.decisions, { approverEmail: 'dba2@example.com', kind: 'deny', reason: 'freeze', decidedAt: '2026-11-22T10:01:00.000Z' }] }));
    expect(denied.text).toContain('Denied by dba2@example.com: freeze');
    expect(texts(denied.blocks)).not.toContain('gatehouse_approve');
    const active = approvalMessage(cardOf({ ...pending, status: 'ACTIVE', access: { grantedAt: '2026-11-22T10:02:00.000Z', expiresAt: '2026-11-22T11:02:00.000Z' } }));
    expect(active.text).toContain('Approved by dba1@example.com; granted until <!date^1795345320^{date_short_pretty} at {time}|2026-11-22 11:02 UTC>');
  });

  it('cuts a long reason visibly to fit Block Kit instead of failing with invalid_blocks', () => {
    const message = approvalMessage(cardOf({ ...pending, reason: 'x'.repeat(5000) }));
    const strings: string[] = [];
    JSON.stringify(message.blocks, (key, value: unknown) => {
      if (key === 'text' && typeof value === 'string') strings.push(value);
      return value;
    });
    expect(Math.max(...strings.map((t) => t.length))).toBe(3000);
    expect(texts(message.blocks)).toContain('x…');
  });
});
