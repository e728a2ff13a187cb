import { Injectable } from '@nestjs/common';
import type { SubmitDecisionReply, TypedEnvelope } from '@gatehouse/contracts';
import type { Transaction } from '@gatehouse/messaging';
import { FlowCatalog } from '../../flows/flow-catalog';
import type { AccessRequest } from '../../lifecycle/access-request';
import { AccessRequestRepository } from '../../lifecycle/access-request.repository';
import { Authorizer } from '../../policy/authorizer';

/**
 * One approve or deny on a request the caller has row-locked in `tx`: checked by the policy,
 * recorded, or refused and audited. Throws NeedsGroups (before writing anything) when the
 * policy needs the acting person's Okta groups and they are not known yet.
 */
@Injectable()
export class DecisionMaker {
  constructor(
    private readonly flows: FlowCatalog,
    private readonly requests: AccessRequestRepository,
    private readonly authorizer: Authorizer,
  ) {}

  async decide(tx: Transaction, command: TypedEnvelope<'access.decision.submit'>, request: AccessRequest | null, groups: readonly string[] | undefined): Promise<SubmitDecisionReply> {
    const { requestId, kind, reason, principal } = command.data;
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
