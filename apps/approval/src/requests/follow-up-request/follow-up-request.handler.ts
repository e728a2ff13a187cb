import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { CreateRequestReply, TypedEnvelope } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';
import { FlowCatalog } from '../../flows/flow-catalog';
import { AccessRequestRepository } from '../../lifecycle/access-request.repository';
import { isFinal } from '../../lifecycle/transitions';
import { Authorizer } from '../../policy/authorizer';
import { RequestCreator } from '../create-request/request-creator';

/**
 * `access.request.follow_up`: "Extend" (more time on active access) or "Request again" (a
 * finished request, once more). Either way a new request for the same flow and target, from
 * the same person, decided by the same policy. While an extension waits, the original grant
 * runs on; provisioning keeps a membership while any grant still needs it.
 */
@Controller()
export class FollowUpRequestHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: AccessRequestRepository,
    private readonly flows: FlowCatalog,
    private readonly authorizer: Authorizer,
    private readonly creator: RequestCreator,
  ) {}

  @MessagePattern('access.request.follow_up')
  async handle(@Payload() command: TypedEnvelope<'access.request.follow_up'>): Promise<CreateRequestReply> {
    const { basedOn, kind, principal, requestId } = command.data;
    // Asked again (a redelivery, a client retry): answer with what was made the first time.
    const existing = await this.requests.find(this.dataSource.manager, requestId);
    if (existing) return { outcome: 'created', request: existing.view() };
    const base = await this.requests.find(this.dataSource.manager, basedOn);
    if (!base) return { outcome: 'rejected', problems: [{ field: 'basedOn', message: `no access request ${basedOn}` }] };
    const allowed = await this.authorizer.decide(kind === 'extension' ? 'request.extend' : 'request.again', principal, base.forPolicy(), this.flows.get(base.flow));
    if (allowed.outcome === 'refused') return { outcome: 'forbidden', message: allowed.message };
    const view = base.view();
    if (kind === 'extension' && (view.status !== 'ACTIVE' || view.access?.ending)) {
      return { outcome: 'rejected', problems: [{ field: 'basedOn', message: `only active access can be extended; this request is ${view.status.toLowerCase()}${view.access?.ending ? ' and ending' : ''}` }] };
    }
    if (kind === 'again' && !isFinal(view.status)) {
      return { outcome: 'rejected', problems: [{ field: 'basedOn', message: `the request is ${view.status.toLowerCase()}; ask again once it has finished` }] };
    }
    return this.creator.create(command, {
      requestId,
      requester: view.requester,
      actor: allowed.actor,
      flow: view.flow,
      target: view.target,
      durationSeconds: command.data.durationSeconds ?? view.durationSeconds,
      reason: command.data.reason ?? view.reason,
      basedOn: { requestId: basedOn, kind },
    });
  }
}
