import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ChangeReply, TypedEnvelope } from '@gatehouse/contracts';
import { RequestChanger } from '../change-request/change-request';

/**
 * `access.request.revoke` ("Revoke now"): the requester, an approver of the flow or an
 * admin takes active access away before it expires.
 */
@Controller()
export class RevokeRequestHandler {
  constructor(private readonly changer: RequestChanger) {}

  @MessagePattern('access.request.revoke')
  handle(@Payload() command: TypedEnvelope<'access.request.revoke'>): Promise<ChangeReply> {
    return this.changer.change(command, command.data.requestId, 'request.revoke', command.data.principal, (request, actor) => request.revoke(actor, command));
  }
}
