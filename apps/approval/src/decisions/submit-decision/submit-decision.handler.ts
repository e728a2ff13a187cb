import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Envelope, RequestStatus, RequestView, SubmitDecisionReply, TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope, UnitOfWork, type Transaction } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { DirectoryClient, DirectoryUnavailableError } from '../../directory/directory-client';
import { FlowCatalog } from '../../flows/flow-catalog';
import { assertTransition } from '../../lifecycle/transitions';
import { evaluateDecision, type PriorDecision } from '../../policy/decision-rules';
import { planGrant } from '../../saga/plan-grant';
import { toView, type DecisionRow, type RequestRow } from '../../requests/request-rows';

/**
 * `access.decision.submit`: an approve or deny. The request row is locked for the decision,
 * so however many approvers click at once, exactly one completes the request and the
 * others are told who did and when. Refusals are answered and audited. This is the hot path
 * of the decisions benchmark, so it is plain SQL with as few round trips as it can be.
 */
@Controller()
export class SubmitDecisionHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly flows: FlowCatalog,
    private readonly directory: DirectoryClient,
  ) {}

  @MessagePattern('access.decision.submit')
  async handle(@Payload() command: TypedEnvelope<'access.decision.submit'>): Promise<SubmitDecisionReply> {
    let approverGroups: string[] | undefined;
    for (;;) {
      try {
        // Every effect of a decision is in this transaction, so the inbox claim can ride on
        // the final statement (one round trip fewer on the benchmark's hot path).
        const outcome = await this.uow.consumeOnce(SERVICE, command, (tx) => this.decide(tx, command, approverGroups), { claimAtCommit: true });
        if (outcome.duplicate) return outcome.previous ?? { accepted: false, code: 'duplicate', message: 'this decision was already submitted' };
        return outcome.result;
      } catch (signal) {
        if (!(signal instanceof NeedsDirectorySignal) || approverGroups !== undefined) throw signal;
        // Never hold the row lock across a remote call: ask, then decide in a new transaction.
        try {
          approverGroups = await this.directory.groupsOf(command.data.approver.email, signal.flowGroups);
        } catch (error) {
          if (error instanceof DirectoryUnavailableError) return { accepted: false, code: 'directory_unavailable', message: error.message };
          throw error;
        }
      }
    }
  }

  private async decide(
    tx: Transaction,
    command: TypedEnvelope<'access.decision.submit'>,
    approverGroups: string[] | undefined,
  ): Promise<SubmitDecisionReply> {
    const { requestId, kind, reason } = command.data;
    const approverEmail = command.data.approver.email.toLowerCase();
    // The request, locked, with its decisions so far: one round trip.
    const [request]: (RequestRow & { decisions: DecisionRow[] })[] = await tx.manager.query(
      `SELECT r.*, COALESCE((SELECT json_agg(d ORDER BY d.id) FROM approval.decisions d WHERE d.request_id = r.id), '[]'::json) AS decisions
         FROM approval.access_requests r WHERE r.id = $1 FOR UPDATE OF r`,
      [requestId],
    );
    if (!request) return { accepted: false, code: 'not_found', message: `no access request ${requestId}` };
    const flow = this.flows.get(request.flow);
    if (!flow) return { accepted: false, code: 'not_pending', message: `flow "${request.flow}" is no longer configured, so this request cannot be decided` };
    const listed = flow.approval.approvers.users.some((u) => u.toLowerCase() === approverEmail);
    if (approverGroups === undefined && request.status === 'PENDING' && !listed && flow.approval.approvers.groups.length > 0) {
      // Throwing away this transaction's inbox row is what lets the retry record it.
      throw new NeedsDirectorySignal(flow.approval.approvers.groups);
    }
    const prior = request.decisions;
    const decision = evaluateDecision(
      flow,
      { approverEmail, kind, reason },
      {
        requesterEmail: request.requester_email,
        status: request.status,
        priorDecisions: prior.map((d): PriorDecision => ({ approverEmail: d.approver_email, kind: d.kind, decidedAt: new Date(d.decided_at) })),
        approverGroups: approverGroups ?? [],
      },
    );
    if (!decision.accepted) {
      await tx.publish(
        createEnvelope(
          'access.decision.refused',
          requestId,
          { requestId, approver: { email: approverEmail }, kind, code: decision.code, message: decision.message },
          { source: SERVICE, causedBy: command },
        ),
      );
      return { accepted: false, code: decision.code, message: decision.message };
    }

    const events: Envelope[] = [];
    let status: RequestStatus = request.status;
    let grantId: string | null = request.grant_id;
    if (decision.result === 'recorded') {
      events.push(
        createEnvelope(
          'access.decision.recorded',
          requestId,
          { requestId, approver: { email: approverEmail }, approvals: decision.approvals, required: decision.required, status: 'PENDING' },
          { source: SERVICE, causedBy: command },
        ),
      );
    } else if (decision.result === 'denied') {
      assertTransition(request.status, 'DENIED');
      status = 'DENIED';
      events.push(
        createEnvelope(
          'access.denied',
          requestId,
          { requestId, approver: { email: approverEmail }, reason: reason?.trim() ?? '', requester: { email: request.requester_email }, status: 'DENIED' },
          { source: SERVICE, causedBy: command },
        ),
      );
    } else {
      assertTransition(request.status, 'APPROVED');
      assertTransition('APPROVED', 'GRANTING');
      const approvers = [...new Set([...prior.filter((d) => d.kind === 'approve').map((d) => d.approver_email), approverEmail])];
      const approved = createEnvelope(
        'access.approved',
        requestId,
        {
          requestId,
          approvers: approvers.map((email) => ({ email })),
          requester: { email: request.requester_email },
          flow: request.flow,
          target: request.target,
          durationSeconds: request.duration_seconds,
          status: 'APPROVED',
        },
        { source: SERVICE, causedBy: command },
      );
      const grant = planGrant(
        { id: requestId, requesterEmail: request.requester_email, oktaGroupId: request.okta_group_id, flow: request.flow, target: request.target, durationSeconds: request.duration_seconds },
        approved,
      );
      status = 'GRANTING';
      grantId = grant.grantId;
      events.push(approved, ...grant.events);
    }

    // Written with the outbox rows in the final statement: the decision, the request's new
    // state and (when it is decided) its timeout timer closed. The row is locked, so its next
    // version and this clock's time are what the reply can say.
    const now = new Date();
    const decidedReason = reason?.trim() || null;
    tx.atCommit(
      (bind) =>
        `INSERT INTO approval.decisions (request_id, approver_email, kind, reason, decided_at) VALUES (${bind(requestId)}, ${bind(approverEmail)}, ${bind(kind)}, ${bind(decidedReason)}, ${bind(now)})`,
    );
    if (status !== 'PENDING') {
      tx.atCommit(
        (bind) => `UPDATE approval.timers SET fired_at = ${bind(now)} WHERE request_id = ${bind(requestId)} AND kind = 'timeout' AND fired_at IS NULL`,
      );
    }
    tx.atCommit(
      (bind) =>
        `UPDATE approval.access_requests SET status = ${bind(status)}, grant_id = ${bind(grantId)}, version = version + 1, updated_at = ${bind(now)} WHERE id = ${bind(requestId)}`,
    );
    for (const event of events) await tx.publish(event);

    const decisions: DecisionRow[] = [...prior, { approver_email: approverEmail, kind, reason: decidedReason, decided_at: now }];
    const { decisions: _prior, ...row } = request;
    const view: RequestView = toView({ ...row, status, grant_id: grantId, updated_at: now, version: request.version + 1 }, decisions);
    return { accepted: true, result: decision.result, request: view };
  }
}

/** Raised inside the transaction to roll it back (with its inbox row) and ask the directory. */
class NeedsDirectorySignal extends Error {
  constructor(readonly flowGroups: string[]) {
    super('needs directory');
  }
}
