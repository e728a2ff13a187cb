import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { CreateRequestReply, TypedEnvelope } from '@gatehouse/contracts';
import { RequestCreator } from './request-creator';

/** `access.request.create`: a new request, as typed into the API, the CLI or the Slack modal. */
@Controller()
export class CreateRequestHandler {
  constructor(private readonly creator: RequestCreator) {}

  @MessagePattern('access.request.create')
  handle(@Payload() command: TypedEnvelope<'access.request.create'>): Promise<CreateRequestReply> {
    return this.creator.create(command, command.data);
  }
}
