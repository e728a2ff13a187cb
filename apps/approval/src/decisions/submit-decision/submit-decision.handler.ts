import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { SubmitDecisionReply, TypedEnvelope } from '@gatehouse/contracts';
import { UnitOfWork, type Transaction } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { FlowCatalog } from '../../flows/flow-catalog';
import { AccessRequestRepository } from '../../lifecycle/access-request.repository';
import { Authorizer } from '../../policy/authorizer';

/**
 * `access.decision.submit`: an approve or deny, by the principal the gateway proved. The
 * request row is locked for the decision, so however many approvers click at once, exactly
 * one completes the request and the others are told who did and when. Refusals are answered
 * and audited. This is the hot path of the decisions benchmark: four statements.
 */
@Controller()
export class SubmitDecisionHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly flows: FlowCatalog,
    private readonly requests: AccessRequestRepository,
    private readonly authorizer: Authorizer,
  ) {}

  @MessagePattern('access.decision.submit')
  handle(@Payload() command: TypedEnvelope<'access.decision.submit'>): Promise<SubmitDecisionReply> {
    return this.authorizer.withGroups(
      async (groups) => {
        // Every effect of a decision is in this transaction, so the inbox claim can ride on
        // the final statement (one round trip fewer on the benchmark's hot path).
        const outcome = await this.uow.consumeOnce(SERVICE, command, (tx) => this.decide(tx, command, groups), { claimAtCommit: true });
        if (outcome.duplicate) return outcome.previous ?? { accepted: false, code: 'duplicate', message: 'this decision was already submitted' };
        return outcome.result;
      },
      (error) => ({ accepted: false, code: 'directory_unavailable', message: error.message }),
    );
  }

  private async decide(tx: Transaction, command: TypedEnvelope<'access.decision.submit'>, groups: readonly string[] | undefined): Promise<SubmitDecisionReply> {
    const { requestId, kind, reason, principal } = command.data;
    const request = await this.requests.lock(tx, requestId);
    if (!request) return { accepted: false, code: 'not_found', message: `no access request ${requestId}` };
    const flow = this.flows.get(request.flow);
    const action = kind === 'approve' ? 'request.approve' : 'request.deny';
    const allowed = this.authorizer.check(action, principal, request.forPolicy(), flow, groups);
    if (allowed.outcome === 'refused') {
      request.refuse(action, principal.actor, allowed.code, allowed.message, command);
      await this.requests.save(tx, request);
      return { accepted: false, code: allowed.code, message: allowed.message };
    }
    if (!flow) return { accepted: false, code: 'not_pending', message: `flow "${request.flow}" is no longer configured, so this request cannot be decided` };
    if (!allowed.person) throw new Error('the policy allowed a decision without a person');
    const decision = request.decide({ actor: allowed.actor, approver: allowed.person, kind, reason }, command);
    if (!decision.accepted) {
      request.refuse(action, allowed.actor, decision.code, decision.message, command);
      await this.requests.save(tx, request);
      return decision;
    }
    await this.requests.save(tx, request);
    return { accepted: true, result: decision.result, request: request.view() };
  }
}
