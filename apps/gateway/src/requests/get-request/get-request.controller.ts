import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import type { RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';

@Controller('api/v1/requests')
@UseGuards(ApiTokenGuard)
export class GetRequestController {
  constructor(private readonly ask: AskService) {}

  @Get(':id')
  @RequireScope('requests:read')
  async get(@Param('id') id: string): Promise<{ request: RequestView }> {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const { request } = await this.ask.ask('access.request.get', requestId, { requestId });
    if (!request) throw new NotFoundException(`no access request ${requestId}`);
    return { request };
  }
}
