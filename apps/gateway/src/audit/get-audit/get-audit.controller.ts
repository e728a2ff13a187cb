import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import type { AuditQueryResult } from '@gatehouse/contracts';
import { z } from 'zod';
import { actingPrincipal } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { refusal } from '../../http/refusal';

export const auditQueryParams = z.object({
  requestId: z.uuid(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * GET /api/v1/audit?requestId=… — the request's audit trail. approval's policy is asked
 * first (`access.authorize`, one policy for every action), then audit-reporting answers.
 */
@Controller('api/v1/audit')
@UseGuards(ApiTokenGuard)
export class GetAuditController {
  constructor(private readonly ask: AskService) {}

  @Get()
  async list(@Query() query: unknown, @Req() req: AuthenticatedRequest): Promise<AuditQueryResult> {
    const { requestId, limit } = parseOrBadRequest(auditQueryParams, query);
    const allowed = await this.ask.ask('access.authorize', requestId, { action: 'audit.read', principal: actingPrincipal(req), requestId });
    if (!allowed.allowed) throw refusal(allowed.code, allowed.message);
    return this.ask.ask('audit.query', requestId, { requestId, limit });
  }
}
