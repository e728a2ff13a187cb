import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { SubmitDecisionReply, TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { AccessRequestEntity } from '../../database/access-request.entity';
import { DecisionEntity } from '../../database/decision.entity';
import { DirectoryClient, DirectoryUnavailableError } from '../../directory/directory-client';
import { FlowCatalog } from '../../flows/flow-catalog';
import { assertTransition } from '../../lifecycle/transitions';
import { evaluateDecision } from '../../policy/decision-rules';
import { RequestViews } from '../../requests/request-views';
import { startGrant } from '../../saga/start-grant';

/**
 * `access.decision.submit`: an approve or deny. The request row is locked for the decision,
 * so however many approvers click at once, exactly one completes the request and the
 * others are told who did and when. Refusals are answered and audited.
 */
@Controller()
export class SubmitDecisionHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly flows: FlowCatalog,
    private readonly directory: DirectoryClient,
    private readonly views: RequestViews,
  ) {}

  @MessagePattern('access.decision.submit')
  async handle(@Payload() command: TypedEnvelope<'access.decision.submit'>): Promise<SubmitDecisionReply> {
    const { requestId, kind, reason } = command.data;
    const approverEmail = command.data.approver.email.toLowerCase();
    const current = await this.views.get(requestId);
    if (!current) return { accepted: false, code: 'not_found', message: `no access request ${requestId}` };
    const flow = this.flows.get(current.flow);
    if (!flow) return { accepted: false, code: 'not_pending', message: `flow "${current.flow}" is no longer configured, so this request cannot be decided` };

    // Ask the directory before taking the row lock: never hold a lock across a remote call.
    let approverGroups: string[] = [];
    const listed = flow.approval.approvers.users.some((u) => u.toLowerCase() === approverEmail);
    if (current.status === 'PENDING' && !listed && flow.approval.approvers.groups.length > 0) {
      try {
        approverGroups = await this.directory.groupsOf(approverEmail, flow.approval.approvers.groups);
      } catch (error) {
        if (error instanceof DirectoryUnavailableError) return { accepted: false, code: 'directory_unavailable', message: error.message };
        throw error;
      }
    }

    const outcome = await this.uow.consumeOnce(SERVICE, command, async (tx): Promise<SubmitDecisionReply> => {
      const request = await tx.manager.findOne(AccessRequestEntity, { where: { id: requestId }, lock: { mode: 'pessimistic_write' } });
      if (!request) return { accepted: false, code: 'not_found', message: `no access request ${requestId}` };
      const prior = await tx.manager.find(DecisionEntity, { where: { requestId }, order: { id: 'ASC' } });
      const decision = evaluateDecision(
        flow,
        { approverEmail, kind, reason },
        {
          requesterEmail: request.requesterEmail,
          status: request.status,
          priorDecisions: prior.map((d) => ({ approverEmail: d.approverEmail, kind: d.kind, decidedAt: new Date(d.decidedAt) })),
          approverGroups,
        },
      );
      if (!decision.accepted) {
        await tx.publish(
          createEnvelope('access.decision.refused', requestId, { requestId, approver: { email: approverEmail }, kind, code: decision.code, message: decision.message }, { source: SERVICE, causedBy: command }),
        );
        return { accepted: false, code: decision.code, message: decision.message };
      }
      await tx.manager.insert(DecisionEntity, { requestId, approverEmail, kind, reason: reason?.trim() || null });
      if (decision.result === 'recorded') {
        await tx.publish(
          createEnvelope(
            'access.decision.recorded',
            requestId,
            { requestId, approver: { email: approverEmail }, approvals: decision.approvals, required: decision.required, status: 'PENDING' },
            { source: SERVICE, causedBy: command },
          ),
        );
      } else {
        const next = decision.result === 'approved' ? 'APPROVED' : 'DENIED';
        assertTransition(request.status, next);
        await tx.manager.update(AccessRequestEntity, { id: requestId }, { status: next, version: request.version + 1 });
        const approvers = [...new Set([...prior.filter((d) => d.kind === 'approve').map((d) => d.approverEmail), approverEmail])];
        const outcomeEvent =
          next === 'APPROVED'
            ? createEnvelope(
                'access.approved',
                requestId,
                {
                  requestId,
                  approvers: approvers.map((email) => ({ email })),
                  requester: { email: request.requesterEmail },
                  flow: request.flow,
                  target: request.target,
                  durationSeconds: request.durationSeconds,
                  status: 'APPROVED',
                },
                { source: SERVICE, causedBy: command },
              )
            : createEnvelope(
                'access.denied',
                requestId,
                { requestId, approver: { email: approverEmail }, reason: reason?.trim() ?? '', requester: { email: request.requesterEmail }, status: 'DENIED' },
                { source: SERVICE, causedBy: command },
              );
        await tx.publish(outcomeEvent);
        await tx.manager.query(`UPDATE approval.timers SET fired_at = now() WHERE request_id = $1 AND kind = 'timeout' AND fired_at IS NULL`, [requestId]);
        if (next === 'APPROVED') await startGrant(tx, request, outcomeEvent);
      }
      const view = await this.views.get(requestId, tx.manager);
      if (!view) throw new Error(`request ${requestId} vanished inside its own transaction`);
      return { accepted: true, result: decision.result, request: view };
    });
    if (!outcome.duplicate) return outcome.result;
    return outcome.previous ?? { accepted: false, code: 'duplicate', message: 'this decision was already submitted' };
  }
}
