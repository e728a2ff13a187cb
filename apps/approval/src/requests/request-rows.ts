import type { Actor, RequestStatus, RequestView } from '@gatehouse/contracts';

/** approval.access_requests as PostgreSQL returns it (hot paths use plain SQL). */
export interface RequestRow {
  id: string;
  requester_email: string;
  requester: RequestView['requester'];
  flow: string;
  target: string;
  target_label: string;
  okta_group_id: string;
  duration_seconds: number;
  reason: string;
  channel: 'api' | 'slack' | 'relay';
  /** Who asked (null for requests stored before actors were recorded). */
  requested_by: Actor | null;
  status: RequestStatus;
  approvals_required: number;
  grant_id: string | null;
  granted_at: Date | null;
  expires_at: Date | null;
  ending: 'expired' | 'revoked' | null;
  ended_by: Actor | null;
  ended_at: Date | null;
  failure: string | null;
  /** When its backup approvers were asked (the flow's escalateAfter); they may decide from then on. */
  escalated_at: Date | null;
  based_on: string | null;
  based_on_kind: 'extension' | 'again' | null;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
}

export interface DecisionRow {
  approver_email: string;
  kind: 'approve' | 'deny';
  reason: string | null;
  decided_at: Date | string;
  actor: Actor | null;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

export function toView(request: RequestRow, decisions: readonly DecisionRow[]): RequestView {
  return {
    id: request.id,
    flow: request.flow,
    target: request.target,
    targetLabel: request.target_label,
    durationSeconds: request.duration_seconds,
    reason: request.reason,
    requester: request.requester,
    ...(request.requested_by ? { requestedBy: request.requested_by } : {}),
    channel: request.channel,
    status: request.status,
    approvals: { count: new Set(decisions.filter((d) => d.kind === 'approve').map((d) => d.approver_email)).size, required: request.approvals_required },
    decisions: decisions.map((d) => ({
      approverEmail: d.approver_email,
      kind: d.kind,
      ...(d.reason ? { reason: d.reason } : {}),
      decidedAt: iso(d.decided_at),
      ...(d.actor ? { actor: d.actor } : {}),
    })),
    access:
      request.granted_at && request.expires_at
        ? {
            grantedAt: iso(request.granted_at),
            expiresAt: iso(request.expires_at),
            ...(request.ending ? { ending: request.ending } : {}),
            ...(request.ended_at ? { endedAt: iso(request.ended_at) } : {}),
          }
        : null,
    failure: request.failure,
    basedOn: request.based_on && request.based_on_kind ? { requestId: request.based_on, kind: request.based_on_kind } : null,
    escalatedAt: request.escalated_at ? iso(request.escalated_at) : null,
    createdAt: iso(request.created_at),
    updatedAt: iso(request.updated_at),
  };
}
