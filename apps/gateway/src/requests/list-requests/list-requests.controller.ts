import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { requestStatusSchema, type RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { actingPrincipal } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { refusal } from '../../http/refusal';

export const listParams = z.strictObject({
  requester: z.email().optional(),
  status: requestStatusSchema.optional(),
  flow: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * GET /api/v1/requests?requester=&status=&flow=&limit= — newest first, among what the token
 * may see: its owner's requests and those they may approve, or all with requests:read-all.
 * While Okta is unreachable, `partial` says which are left out (approvable through a group).
 */
@Controller('api/v1/requests')
@UseGuards(ApiTokenGuard)
export class ListRequestsController {
  constructor(private readonly ask: AskService) {}

  @Get()
  async list(@Query() query: unknown, @Req() req: AuthenticatedRequest): Promise<{ requests: RequestView[]; visibility: 'all' | 'own-and-approvable'; partial?: string }> {
    const { requester, ...rest } = parseOrBadRequest(listParams, query);
    const reply = await this.ask.ask('access.request.list', requester ?? 'all', { ...rest, requesterEmail: requester, principal: actingPrincipal(req) });
    if (!reply.ok) throw refusal(reply.code, reply.message);
    return { requests: reply.requests, visibility: reply.visibility, ...(reply.partial ? { partial: reply.partial } : {}) };
  }
}
