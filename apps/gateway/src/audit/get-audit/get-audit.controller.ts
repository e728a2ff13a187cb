import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import type { AuditQueryResult } from '@gatehouse/contracts';
import { z } from 'zod';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';

export const auditQueryParams = z.object({
  requestId: z.uuid(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** GET /api/v1/audit?requestId=… — the request's audit trail, asked of audit-reporting over Kafka. */
@Controller('api/v1/audit')
@UseGuards(ApiTokenGuard)
export class GetAuditController {
  constructor(private readonly ask: AskService) {}

  @Get()
  @RequireScope('audit:read')
  async list(@Query() query: unknown): Promise<AuditQueryResult> {
    const { requestId, limit } = parseOrBadRequest(auditQueryParams, query);
    return this.ask.ask('audit.query', requestId, { requestId, limit });
  }
}
