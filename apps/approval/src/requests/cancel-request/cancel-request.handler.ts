import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ChangeReply, TypedEnvelope } from '@gatehouse/contracts';
import { RequestChanger } from '../change-request/change-request';

/** `access.request.cancel`: the requester withdraws a request nobody has decided yet. */
@Controller()
export class CancelRequestHandler {
  constructor(private readonly changer: RequestChanger) {}

  @MessagePattern('access.request.cancel')
  handle(@Payload() command: TypedEnvelope<'access.request.cancel'>): Promise<ChangeReply> {
    return this.changer.change(command, command.data.requestId, 'request.cancel', command.data.principal, (request, actor) => request.cancel(actor, command));
  }
}
