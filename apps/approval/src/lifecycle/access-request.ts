import type { Actor, Envelope, Person, RequestStatus, RequestView } from '@gatehouse/contracts';
import { systemActor } from '@gatehouse/contracts';
import { createEnvelope } from '@gatehouse/messaging';
import { SERVICE } from '../config';
import type { PolicyRequest } from '../policy/authorize';
import { planGrant } from '../saga/plan-grant';
import { toView, type DecisionRow, type RequestRow } from '../requests/request-rows';
import { assertTransition } from './transitions';

/** A timer the repository must arm or close along with the request. */
export type TimerKind = 'timeout' | 'expire' | 'warn' | 'remind' | 'escalate';
export type TimerChange = { op: 'arm'; kind: TimerKind; dueAt: Date } | { op: 'close'; kind?: TimerKind };

export interface OpenRequest {
  id: string;
  requester: Person;
  requestedBy: Actor;
  flow: string;
  target: string;
  targetLabel: string;
  oktaGroupId: string;
  durationSeconds: number;
  reason: string;
  approvalsRequired: number;
  /** How long it may wait for a decision. */
  timeoutSeconds: number;
  /** The flow's remindAfter and escalateAfter, when it sets them (seconds). */
  remindAfterSeconds?: number;
  escalateAfterSeconds?: number;
  basedOn?: { requestId: string; kind: 'extension' | 'again' };
  /** A flow rule approves it at once: nobody will be asked. */
  autoApproved?: boolean;
}

export type DecisionResult =
  | { accepted: true; result: 'approved' | 'denied' | 'recorded' }
  | { accepted: false; code: 'already_decided' | 'not_pending' | 'reason_required'; message: string };

/** Statuses a request reaches only through an approval. */
const APPROVED_FAMILY: ReadonlySet<RequestStatus> = new Set(['APPROVED', 'GRANTING', 'ACTIVE', 'EXPIRED', 'REVOKED', 'GRANT_FAILED']);

/**
 * The access request: the only code that changes a request's status. Each method checks the
 * move is allowed, applies it, and records the events it causes; handlers load it, call it
 * and save it through AccessRequestRepository, which writes the changes, the decisions, the
 * timers and the events in one transaction.
 */
export class AccessRequest {
  /** Events to publish (through the outbox) when saved. */
  readonly events: Envelope[] = [];
  /** Decisions made since it was loaded. */
  readonly newDecisions: DecisionRow[] = [];
  readonly timerChanges: TimerChange[] = [];
  private readonly changed = new Set<keyof RequestRow>();

  private constructor(
    private readonly row: RequestRow,
    private readonly decisions: DecisionRow[],
    /** Not stored yet: the repository inserts it. */
    readonly isNew: boolean,
  ) {}

  static rehydrate(row: RequestRow, decisions: readonly DecisionRow[]): AccessRequest {
    return new AccessRequest({ ...row }, [...decisions], false);
  }

  /** A new request, PENDING, waiting at most `timeoutSeconds` for a decision. */
  static open(input: OpenRequest, cause: Envelope, now = new Date()): AccessRequest {
    const row: RequestRow = {
      id: input.id,
      requester_email: input.requester.email.toLowerCase(),
      requester: input.requester,
      requested_by: input.requestedBy,
      flow: input.flow,
      target: input.target,
      target_label: input.targetLabel,
      okta_group_id: input.oktaGroupId,
      duration_seconds: input.durationSeconds,
      reason: input.reason,
      channel: input.requestedBy.channel === 'system' ? 'api' : input.requestedBy.channel,
      status: 'PENDING',
      approvals_required: input.approvalsRequired,
      grant_id: null,
      granted_at: null,
      expires_at: null,
      ending: null,
      ended_by: null,
      ended_at: null,
      failure: null,
      escalated_at: null,
      based_on: input.basedOn?.requestId ?? null,
      based_on_kind: input.basedOn?.kind ?? null,
      created_at: now,
      updated_at: now,
      version: 1,
    };
    const request = new AccessRequest(row, [], true);
    request.emit(
      createEnvelope(
        'access.requested',
        row.id,
        {
          requestId: row.id,
          requester: input.requester,
          actor: input.requestedBy,
          flow: row.flow,
          target: row.target,
          durationSeconds: row.duration_seconds,
          reason: row.reason,
          status: 'PENDING',
          awaitsApproval: !input.autoApproved,
          requestedAt: now.toISOString(),
        },
        { source: SERVICE, causedBy: cause },
      ),
    );
    const after = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    request.timerChanges.push({ op: 'arm', kind: 'timeout', dueAt: after(input.timeoutSeconds) });
    // Nobody is asked when a rule approves it: nobody to remind, nothing to escalate.
    if (!input.autoApproved) {
      if (input.remindAfterSeconds) request.timerChanges.push({ op: 'arm', kind: 'remind', dueAt: after(input.remindAfterSeconds) });
      if (input.escalateAfterSeconds) request.timerChanges.push({ op: 'arm', kind: 'escalate', dueAt: after(input.escalateAfterSeconds) });
    }
    return request;
  }

  get id(): string {
    return this.row.id;
  }
  get status(): RequestStatus {
    return this.row.status;
  }
  get flow(): string {
    return this.row.flow;
  }
  get requester(): Person {
    return this.row.requester;
  }
  get grantId(): string | null {
    return this.row.grant_id;
  }
  get ending(): 'expired' | 'revoked' | null {
    return this.row.ending;
  }
  get createdAt(): Date {
    return new Date(this.row.created_at);
  }
  get version(): number {
    return this.row.version;
  }
  /** The columns changed since it was loaded, with their new values. */
  changes(): Partial<RequestRow> {
    return Object.fromEntries([...this.changed].map((key) => [key, this.row[key]]));
  }
  /** The row as it stands (for an insert). */
  snapshot(): Readonly<RequestRow> {
    return this.row;
  }

  /** What the authorization policy needs to know of it. */
  forPolicy(): PolicyRequest {
    return { requesterEmail: this.row.requester_email, status: this.row.status, approvedBy: this.approvers().map((p) => p.email), escalated: this.row.escalated_at !== null };
  }

  view(): RequestView {
    return toView(this.row, [...this.decisions, ...this.newDecisions]);
  }

  /** Approved by a flow rule: straight on to granting. */
  approveByRule(rule: { rule: 'target' | 'user' | 'group'; detail: string }, cause: Envelope): void {
    const actor = systemActor('auto-approval');
    this.moveTo('APPROVED');
    const approved = this.emit(
      createEnvelope(
        'access.approved',
        this.id,
        { requestId: this.id, actor, approvers: [], autoApproved: rule, requester: this.requester, flow: this.flow, target: this.row.target, durationSeconds: this.row.duration_seconds, status: 'APPROVED' },
        { source: SERVICE, causedBy: cause },
      ),
    );
    this.startGranting(actor, approved);
  }

  /**
   * A decision by an approver the policy has allowed. Exactly one decision completes the
   * request: the caller holds its row lock, so this sees every earlier decision.
   */
  decide(decision: { actor: Actor; approver: Person; kind: 'approve' | 'deny'; reason?: string }, cause: Envelope, now = new Date()): DecisionResult {
    if (this.status !== 'PENDING') return this.tooLate();
    const reason = decision.reason?.trim() ?? '';
    if (decision.kind === 'deny' && !reason) return { accepted: false, code: 'reason_required', message: 'a denial needs a reason the requester can read' };
    const approverEmail = decision.approver.email.toLowerCase();
    this.newDecisions.push({ approver_email: approverEmail, kind: decision.kind, reason: reason || null, decided_at: now, actor: decision.actor });
    const { actor } = decision;
    if (decision.kind === 'deny') {
      this.moveTo('DENIED');
      this.closeWaitingTimers();
      this.emit(createEnvelope('access.denied', this.id, { requestId: this.id, actor, reason, requester: this.requester, status: 'DENIED' }, { source: SERVICE, causedBy: cause }));
      return { accepted: true, result: 'denied' };
    }
    const approvals = this.approvers().length;
    if (approvals < this.row.approvals_required) {
      this.touch();
      this.emit(
        createEnvelope(
          'access.decision.recorded',
          this.id,
          { requestId: this.id, actor, approvals, required: this.row.approvals_required, status: 'PENDING' },
          { source: SERVICE, causedBy: cause },
        ),
      );
      return { accepted: true, result: 'recorded' };
    }
    this.moveTo('APPROVED');
    this.closeWaitingTimers();
    const approved = this.emit(
      createEnvelope(
        'access.approved',
        this.id,
        { requestId: this.id, actor, approvers: this.approvers(), requester: this.requester, flow: this.flow, target: this.row.target, durationSeconds: this.row.duration_seconds, status: 'APPROVED' },
        { source: SERVICE, causedBy: cause },
      ),
    );
    this.startGranting(actor, approved);
    return { accepted: true, result: 'approved' };
  }

  /** An action the policy (or the request's state) refused: recorded for the audit trail. */
  refuse(action: string, actor: Actor, code: string, message: string, cause: Envelope): void {
    this.emit(createEnvelope('access.refused', this.id, { requestId: this.id, actor, action, code, message }, { source: SERVICE, causedBy: cause }));
  }

  /** The requester withdraws it while it waits; `undefined` if that is allowed, else why not. */
  cancel(actor: Actor, cause: Envelope, now = new Date()): string | undefined {
    if (this.status !== 'PENDING') return `the request is ${describe(this.status)}; only a pending request can be cancelled`;
    this.moveTo('CANCELLED');
    this.set('ended_at', now);
    this.set('ended_by', actor);
    this.timerChanges.push({ op: 'close' });
    this.emit(createEnvelope('access.cancelled', this.id, { requestId: this.id, actor, status: 'CANCELLED' }, { source: SERVICE, causedBy: cause }));
    return undefined;
  }

  /** "Revoke now": `undefined` if it started, else why not. The request stays ACTIVE until provisioning confirms. */
  revoke(actor: Actor, cause: Envelope): string | undefined {
    if (this.status !== 'ACTIVE') return `the request is ${describe(this.status)}; only active access can be revoked`;
    if (this.ending) return `access is already being taken away (${this.ending})`;
    this.startRevoke('revoked', actor, cause);
    return undefined;
  }

  /** Its timeout timer fired: a request nobody decided in time. */
  timeOut(dueAt: Date, now = new Date()): void {
    if (this.status !== 'PENDING') return;
    this.moveTo('TIMED_OUT');
    this.set('ended_at', now);
    const afterSeconds = Math.round((dueAt.getTime() - this.createdAt.getTime()) / 1000);
    this.emit(createEnvelope('access.timed_out', this.id, { requestId: this.id, afterSeconds, actor: systemActor('timer'), status: 'TIMED_OUT' }, { source: SERVICE }));
  }

  /** Its reminder timer fired: still waiting, so its approvers are reminded (once). */
  remindApprovers(): void {
    if (this.status !== 'PENDING') return;
    this.emit(
      createEnvelope(
        'access.approvers_reminded',
        this.id,
        { requestId: this.id, approvals: this.approvers().length, required: this.row.approvals_required, waitingSince: this.createdAt.toISOString(), actor: systemActor('timer'), status: 'PENDING' },
        { source: SERVICE },
      ),
    );
  }

  /** Its escalation timer fired: still waiting, so the backup approvers are asked, and may decide from now on. */
  escalate(backupApprovers: { users: string[]; groups: string[] }, now = new Date()): void {
    if (this.status !== 'PENDING' || this.row.escalated_at) return;
    this.set('escalated_at', now);
    this.emit(
      createEnvelope(
        'access.escalated',
        this.id,
        { requestId: this.id, backupApprovers, waitingSince: this.createdAt.toISOString(), actor: systemActor('timer'), status: 'PENDING' },
        { source: SERVICE },
      ),
    );
  }

  /** Its warning timer fired: say that access ends soon, unless it is already ending or over. */
  warnOfExpiry(): void {
    const expiresAt = this.row.expires_at;
    if (this.status !== 'ACTIVE' || this.ending || !expiresAt) return;
    this.emit(createEnvelope('access.expiring', this.id, { requestId: this.id, expiresAt: new Date(expiresAt).toISOString(), actor: systemActor('timer'), status: 'ACTIVE' }, { source: SERVICE }));
  }

  /** Its expiry timer fired (or a failed revocation is tried again): take the access away. */
  expire(): void {
    if (this.status !== 'ACTIVE') return;
    this.startRevoke(this.ending ?? 'expired', this.row.ended_by ?? systemActor('timer'), undefined);
  }

  /**
   * provisioning-okta added the membership. The requester is warned `warnBeforeSeconds` before
   * it ends (the flow's expiryWarning; 0 for never), when that moment is still ahead.
   */
  granted(grantedAt: Date, cause: Envelope, warnBeforeSeconds = 0): void {
    this.moveTo('ACTIVE');
    const expiresAt = new Date(grantedAt.getTime() + this.row.duration_seconds * 1000);
    this.set('granted_at', grantedAt);
    this.set('expires_at', expiresAt);
    this.timerChanges.push({ op: 'arm', kind: 'expire', dueAt: expiresAt });
    const warnAt = new Date(expiresAt.getTime() - warnBeforeSeconds * 1000);
    if (warnBeforeSeconds > 0 && warnAt > grantedAt) this.timerChanges.push({ op: 'arm', kind: 'warn', dueAt: warnAt });
    this.emit(
      createEnvelope(
        'access.activated',
        this.id,
        { requestId: this.id, grantId: this.requireGrant(), grantedAt: grantedAt.toISOString(), expiresAt: expiresAt.toISOString(), actor: systemActor('provisioning'), status: 'ACTIVE' },
        { source: SERVICE, causedBy: cause },
      ),
    );
  }

  grantFailed(failure: string, cause: Envelope): void {
    this.moveTo('GRANT_FAILED');
    this.set('failure', failure);
    this.emit(
      createEnvelope(
        'access.grant_failed',
        this.id,
        { requestId: this.id, grantId: this.requireGrant(), cause: failure, actor: systemActor('provisioning'), status: 'GRANT_FAILED' },
        { source: SERVICE, causedBy: cause },
      ),
    );
  }

  /** provisioning-okta took the membership away: EXPIRED or REVOKED, as the ending said. */
  revoked(revokedAt: Date, cause: Envelope): void {
    // No ending of ours: reconciliation found the membership removed outside Gatehouse.
    const actor = this.row.ended_by ?? systemActor('reconciliation');
    this.moveTo(this.ending === 'expired' ? 'EXPIRED' : 'REVOKED');
    this.set('ended_at', revokedAt);
    this.set('ending', this.ending ?? 'revoked');
    this.timerChanges.push({ op: 'close' });
    this.emit(
      createEnvelope(
        'access.ended',
        this.id,
        { requestId: this.id, grantId: this.requireGrant(), revokedAt: revokedAt.toISOString(), actor, status: this.status as 'EXPIRED' | 'REVOKED' },
        { source: SERVICE, causedBy: cause },
      ),
    );
  }

  /** Revocation failed: tried again when the re-armed expiry timer fires. */
  revokeFailed(failure: string, retryAt: Date, cause: Envelope): void {
    this.timerChanges.push({ op: 'arm', kind: 'expire', dueAt: retryAt });
    this.emit(
      createEnvelope(
        'access.revoke_failed',
        this.id,
        { requestId: this.id, grantId: this.requireGrant(), cause: failure, actor: systemActor('provisioning'), status: 'ACTIVE' },
        { source: SERVICE, causedBy: cause },
      ),
    );
  }

  /** Is this report about the grant in flight, in the state that expects it? */
  expects(grantId: string, status: 'GRANTING' | 'ACTIVE'): boolean {
    return this.row.grant_id === grantId && this.status === status;
  }

  private startGranting(actor: Actor, approved: Envelope): void {
    const grant = planGrant(
      { id: this.id, requesterEmail: this.row.requester_email, oktaGroupId: this.row.okta_group_id, flow: this.flow, target: this.row.target, durationSeconds: this.row.duration_seconds, actor },
      approved,
    );
    this.moveTo('GRANTING');
    this.set('grant_id', grant.grantId);
    for (const event of grant.events) this.emit(event);
  }

  private startRevoke(why: 'expired' | 'revoked', actor: Actor, cause: Envelope | undefined): void {
    const grantId = this.requireGrant();
    if (!this.ending) this.set('ending', why);
    if (!this.row.ended_by) this.set('ended_by', actor);
    this.touch();
    // A pending expiry (and its warning) is moot once a revocation is under way.
    this.timerChanges.push({ op: 'close', kind: 'expire' });
    this.timerChanges.push({ op: 'close', kind: 'warn' });
    const options = cause ? { source: SERVICE, causedBy: cause } : { source: SERVICE };
    const revoking = this.emit(createEnvelope('access.revoking', this.id, { requestId: this.id, grantId, why, actor, status: 'ACTIVE' }, options));
    this.emit(
      createEnvelope(
        'provisioning.revoke',
        this.id,
        { requestId: this.id, grantId, user: { email: this.row.requester_email }, oktaGroupId: this.row.okta_group_id, why },
        { source: SERVICE, causedBy: revoking },
      ),
    );
  }

  /** Decided: nothing waits on it any more (timeout, reminder, escalation). */
  private closeWaitingTimers(): void {
    for (const kind of ['timeout', 'remind', 'escalate'] as const) this.timerChanges.push({ op: 'close', kind });
  }

  /** A late click names who decided and when. */
  private tooLate(): DecisionResult {
    const denied = this.status === 'DENIED';
    const final = denied || APPROVED_FAMILY.has(this.status) ? [...this.decisions].reverse().find((d) => d.kind === (denied ? 'deny' : 'approve')) : undefined;
    return final
      ? { accepted: false, code: 'already_decided', message: `already ${denied ? 'denied' : 'approved'} by ${final.approver_email} at ${new Date(final.decided_at).toISOString()}` }
      : { accepted: false, code: 'not_pending', message: `the request is ${describe(this.status)}, so it can no longer be decided` };
  }

  private approvers(): Person[] {
    const seen = new Map<string, Person>();
    for (const d of [...this.decisions, ...this.newDecisions]) if (d.kind === 'approve') seen.set(d.approver_email.toLowerCase(), { email: d.approver_email });
    return [...seen.values()];
  }

  private requireGrant(): string {
    if (!this.row.grant_id) throw new Error(`request ${this.id} has no grant`);
    return this.row.grant_id;
  }

  private moveTo(status: RequestStatus): void {
    assertTransition(this.row.status, status);
    this.set('status', status);
  }

  private set<K extends keyof RequestRow>(key: K, value: RequestRow[K]): void {
    this.row[key] = value;
    this.changed.add(key);
    this.touch();
  }

  /** A change that bumps the version even when no column but the clock moves (a recorded approval). */
  private touch(): void {
    this.changed.add('updated_at');
  }

  private emit<E extends Envelope>(event: E): E {
    this.events.push(event);
    return event;
  }
}

function describe(status: RequestStatus): string {
  return status.toLowerCase().replace(/_/g, ' ');
}
