import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { RequestView, TypedEnvelope } from '@gatehouse/contracts';
import { RequestViews } from '../request-views';

@Controller()
export class GetRequestHandler {
  constructor(private readonly views: RequestViews) {}

  @MessagePattern('access.request.get')
  async get(@Payload() query: TypedEnvelope<'access.request.get'>): Promise<{ request: RequestView | null }> {
    return { request: await this.views.get(query.data.requestId) };
  }
}
