import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { CreateRequestReply, TypedEnvelope } from '@gatehouse/contracts';
import { FlowCatalog } from '../../flows/flow-catalog';
import { Authorizer } from '../../policy/authorizer';
import { RequestCreator } from './request-creator';

/** `access.request.create`: a new request, as typed into the API, the CLI or the Slack modal. */
@Controller()
export class CreateRequestHandler {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly creator: RequestCreator,
    private readonly flows: FlowCatalog,
  ) {}

  @MessagePattern('access.request.create')
  async handle(@Payload() command: TypedEnvelope<'access.request.create'>): Promise<CreateRequestReply> {
    const { principal, requestId, ...fields } = command.data;
    const allowed = this.authorizer.check('request.create', principal, undefined, this.flows.get(fields.flow));
    if (allowed.outcome === 'refused') return { outcome: 'forbidden', message: allowed.message };
    if (!allowed.person) throw new Error('the policy allowed a request without a person to grant it to');
    return this.creator.create(command, { ...fields, requestId, requester: allowed.person, actor: allowed.actor });
  }
}
