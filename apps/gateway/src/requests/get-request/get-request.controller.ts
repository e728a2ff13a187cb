import { Controller, Get, Param, Req, UseGuards } from '@nestjs/common';
import type { RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { actingPrincipal } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { refusal } from '../../http/refusal';

/** GET /api/v1/requests/:id — one's own, one one may approve, or any with requests:read-all. */
@Controller('api/v1/requests')
@UseGuards(ApiTokenGuard)
export class GetRequestController {
  constructor(private readonly ask: AskService) {}

  @Get(':id')
  async get(@Param('id') id: string, @Req() req: AuthenticatedRequest): Promise<{ request: RequestView }> {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const reply = await this.ask.ask('access.request.get', requestId, { requestId, principal: actingPrincipal(req) });
    if (!reply.ok) throw refusal(reply.code, reply.message);
    return { request: reply.request };
  }
}
