import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { SubmitDecisionReply, TypedEnvelope } from '@gatehouse/contracts';
import { Authorizer } from '../../policy/authorizer';
import { DecisionGroups } from './decision-groups';

/**
 * `access.decision.submit`: an approve or deny, by the principal the gateway proved. The
 * request row is locked for the decision, so however many approvers click at once, exactly
 * one completes the request and the others are told who did and when. Refusals are answered
 * and audited. Decisions arriving together share a transaction (see DecisionGroups).
 */
@Controller()
export class SubmitDecisionHandler {
  constructor(
    private readonly decisions: DecisionGroups,
    private readonly authorizer: Authorizer,
  ) {}

  @MessagePattern('access.decision.submit')
  handle(@Payload() command: TypedEnvelope<'access.decision.submit'>): Promise<SubmitDecisionReply> {
    return this.authorizer.withGroups(
      (groups) => this.decisions.submit(command, groups),
      (error) => ({ accepted: false, code: 'directory_unavailable', message: error.message }),
    );
  }
}
