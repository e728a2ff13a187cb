import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { RequestView, TypedEnvelope } from '@gatehouse/contracts';
import { RequestViews } from '../request-views';

@Controller()
export class ListRequestsHandler {
  constructor(private readonly views: RequestViews) {}

  @MessagePattern('access.request.list')
  async list(@Payload() query: TypedEnvelope<'access.request.list'>): Promise<{ requests: RequestView[] }> {
    return { requests: await this.views.list(query.data) };
  }
}
