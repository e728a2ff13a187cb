import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { GetRequestReply, TypedEnvelope } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';
import { FlowCatalog } from '../../flows/flow-catalog';
import { AccessRequestRepository } from '../../lifecycle/access-request.repository';
import { Authorizer } from '../../policy/authorizer';

/** `access.request.get`: one request, to those the policy lets read it. */
@Controller()
export class GetRequestHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: AccessRequestRepository,
    private readonly flows: FlowCatalog,
    private readonly authorizer: Authorizer,
  ) {}

  @MessagePattern('access.request.get')
  async get(@Payload() query: TypedEnvelope<'access.request.get'>): Promise<GetRequestReply> {
    const { requestId, principal } = query.data;
    const request = await this.requests.find(this.dataSource.manager, requestId);
    if (!request) return { ok: false, code: 'not_found', message: `no access request ${requestId}` };
    const allowed = await this.authorizer.decide('request.read', principal, request.forPolicy(), this.flows.get(request.flow));
    if (allowed.outcome === 'refused') return { ok: false, code: 'forbidden', message: allowed.message };
    return { ok: true, request: request.view() };
  }
}
