import type { Flow } from '@gatehouse/config';

export type DecisionKind = 'approve' | 'deny';

export interface PriorDecision {
  approverEmail: string;
  kind: DecisionKind;
  decidedAt: Date;
}

export interface DecisionInput {
  approverEmail: string;
  kind: DecisionKind;
  /** Denials carry a reason for the requester. */
  reason?: string;
}

export interface DecisionContext {
  requesterEmail: string;
  status: string;
  priorDecisions: readonly PriorDecision[];
  /** The approver's Okta groups among the flow's approver groups (from the directory). */
  approverGroups: readonly string[];
}

export type DecisionOutcome =
  | { accepted: true; result: 'approved' | 'denied' | 'recorded'; approvals: number; required: number }
  | { accepted: false; code: DecisionRefusal; message: string };

export type DecisionRefusal = 'already_decided' | 'not_pending' | 'not_an_approver' | 'self_approval' | 'duplicate' | 'reason_required';

/** Statuses a request reaches only through an approval. */
const APPROVED_FAMILY = new Set(['APPROVED', 'GRANTING', 'ACTIVE', 'EXPIRED', 'REVOKED', 'GRANT_FAILED']);

/**
 * Applies the flow's approval policy to one decision. Pure: the caller holds the request's
 * row lock, so this sees every earlier decision and exactly one caller can complete it.
 */
export function evaluateDecision(flow: Flow, input: DecisionInput, context: DecisionContext): DecisionOutcome {
  const approver = input.approverEmail.toLowerCase();
  const { required } = flow.approval;
  if (context.status !== 'PENDING') {
    const denied = context.status === 'DENIED';
    const final = denied || APPROVED_FAMILY.has(context.status)
      ? [...context.priorDecisions].reverse().find((d) => d.kind === (denied ? 'deny' : 'approve'))
      : undefined;
    const word = denied ? 'denied' : 'approved';
    return final
      ? { accepted: false, code: 'already_decided', message: `already ${word} by ${final.approverEmail} at ${final.decidedAt.toISOString()}` }
      : { accepted: false, code: 'not_pending', message: `the request is ${context.status.toLowerCase().replace(/_/g, ' ')}, so it can no longer be decided` };
  }
  const listed = flow.approval.approvers.users.some((u) => u.toLowerCase() === approver);
  const inGroup = flow.approval.approvers.groups.some((g) => context.approverGroups.includes(g));
  if (!listed && !inGroup) {
    return { accepted: false, code: 'not_an_approver', message: `${approver} is not an approver of flow "${flow.name}"` };
  }
  if (approver === context.requesterEmail.toLowerCase() && !flow.approval.allowSelfApproval) {
    return { accepted: false, code: 'self_approval', message: `flow "${flow.name}" does not allow approving your own request; another approver must decide` };
  }
  if (input.kind === 'deny') {
    if (!input.reason?.trim()) return { accepted: false, code: 'reason_required', message: 'a denial needs a reason the requester can read' };
    return { accepted: true, result: 'denied', approvals: approvalsBy(context.priorDecisions).size, required };
  }
  const approvals = approvalsBy(context.priorDecisions);
  if (approvals.has(approver)) {
    return { accepted: false, code: 'duplicate', message: `you have already approved; ${required - approvals.size} more approval(s) from other approvers needed` };
  }
  approvals.add(approver);
  return { accepted: true, result: approvals.size >= required ? 'approved' : 'recorded', approvals: approvals.size, required };
}

function approvalsBy(decisions: readonly PriorDecision[]): Set<string> {
  return new Set(decisions.filter((d) => d.kind === 'approve').map((d) => d.approverEmail.toLowerCase()));
}
