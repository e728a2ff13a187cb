import type { Person, RequestView } from '@gatehouse/contracts';
import { formatDuration } from '@gatehouse/config';
import { slackTime } from '../messages/slack-time';
import { mrkdwn, plain } from '../requesting/block-text';

export const APPROVE = 'gatehouse_approve';
export const DENY = 'gatehouse_deny';

/** What an approval message shows of a request. */
export interface ApprovalCard {
  requestId: string;
  requester: Person;
  flow: string;
  targetLabel: string;
  durationSeconds: number;
  reason: string;
  approvals: { count: number; required: number };
  /** Set once decided: the message loses its buttons and says what happened. */
  outcome?: string;
}

export function who(person: Person): string {
  return person.slackUserId ? `<@${person.slackUserId}>` : person.email;
}

/**
 * The message approvers act on: who asks for what, for how long and why, how far the policy
 * is, and Approve / Deny while it waits. Long reasons are cut visibly to Block Kit's limits.
 */
export function approvalMessage(card: ApprovalCard): { text: string; blocks: Record<string, unknown>[] } {
  const asks = `${who(card.requester)} asks for *${card.targetLabel}* (${card.flow}) for ${formatDuration(card.durationSeconds)}`;
  const progress = `${card.approvals.count} of ${card.approvals.required} approval${card.approvals.required === 1 ? '' : 's'}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(asks) },
    { type: 'context', elements: [mrkdwn(`Reason: ${card.reason || '—'}`)] },
    { type: 'context', elements: [mrkdwn(card.outcome ?? progress)] },
  ];
  if (!card.outcome) {
    blocks.push({
      type: 'actions',
      block_id: 'decision',
      elements: [
        { type: 'button', action_id: APPROVE, value: card.requestId, style: 'primary', text: plain('Approve') },
        { type: 'button', action_id: DENY, value: card.requestId, style: 'danger', text: plain('Deny') },
      ],
    });
  }
  return { text: `Access request: ${card.requester.email} asks for ${card.targetLabel} (${card.flow}) for ${formatDuration(card.durationSeconds)}. ${card.outcome ?? progress}`, blocks };
}

/** What happened to a request, in a line, once it is no longer waiting. */
export function outcomeOf(request: RequestView): string | undefined {
  const last = (kind: 'approve' | 'deny') => [...request.decisions].reverse().find((d) => d.kind === kind);
  const approvedBy = request.decisions.filter((d) => d.kind === 'approve').map((d) => d.approverEmail).join(', ');
  switch (request.status) {
    case 'PENDING':
      return undefined;
    case 'APPROVED':
    case 'GRANTING':
      return `:white_check_mark: Approved by ${approvedBy || 'a rule of the flow'}; access is being granted`;
    case 'ACTIVE':
      return `:white_check_mark: Approved by ${approvedBy || 'a rule of the flow'}; granted until ${slackTime(request.access?.expiresAt)}`;
    case 'DENIED': {
      const denial = last('deny');
      return `:no_entry: Denied by ${denial?.approverEmail ?? '?'}: ${denial?.reason ?? ''}`;
    }
    case 'CANCELLED':
      return ':heavy_multiplication_x: Cancelled by the requester';
    case 'TIMED_OUT':
      return ':hourglass: Timed out: nobody decided in time';
    case 'EXPIRED':
      return ':checkered_flag: Access expired and was removed';
    case 'REVOKED':
      return ':checkered_flag: Access was revoked';
    case 'GRANT_FAILED':
      return `:warning: Approved, but granting failed: ${request.failure ?? 'unknown cause'}`;
  }
}

export function cardOf(request: RequestView): ApprovalCard {
  return {
    requestId: request.id,
    requester: request.requester,
    flow: request.flow,
    targetLabel: request.targetLabel,
    durationSeconds: request.durationSeconds,
    reason: request.reason,
    approvals: request.approvals,
    outcome: outcomeOf(request),
  };
}
