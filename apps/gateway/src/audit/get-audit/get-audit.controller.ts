import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import type { AuditQueryResult } from '@gatehouse/contracts';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { AuditAccess } from '../audit-access';
import { auditQueryParams, toAuditQuery } from '../audit-query-params';

/**
 * GET /api/v1/audit — audit records in chain order: one request's (`requestId`), or any, filtered
 * by time, requester, approver, target, flow and type; a page at a time (`cursor` = the previous
 * page's `nextCursor`). approval's policy is asked first, then audit-reporting answers.
 */
@Controller('api/v1/audit')
@UseGuards(ApiTokenGuard)
export class GetAuditController {
  constructor(
    private readonly ask: AskService,
    private readonly access: AuditAccess,
  ) {}

  @Get()
  async list(@Query() query: unknown, @Req() req: AuthenticatedRequest): Promise<AuditQueryResult> {
    const { cursor, limit, ...filters } = parseOrBadRequest(auditQueryParams, query);
    await this.access.check(req, filters.requestId);
    return this.ask.ask('audit.query', filters.requestId ?? 'audit', toAuditQuery(filters, { after: cursor, limit }));
  }
}
