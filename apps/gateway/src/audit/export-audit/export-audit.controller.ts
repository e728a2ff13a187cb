import { BadRequestException, Controller, Get, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { AuditRecord } from '@gatehouse/contracts';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { Response } from 'express';
import { z } from 'zod';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { AuditAccess } from '../audit-access';
import { auditFilterParams, toAuditQuery } from '../audit-query-params';
import { streamPages, type Page } from '../stream-pages';
import { AUDIT_CSV_COLUMNS, auditCsvRow, csvLine } from './audit-csv';

export const auditExportParams = auditFilterParams.extend({ format: z.enum(['jsonl', 'csv']).default('jsonl') });

/** Records asked of audit-reporting at a time: one page in memory, whatever the export's size. */
const PAGE = 500;

/**
 * GET /api/v1/audit/export?format=jsonl|csv — every matching record, streamed page by page as
 * audit-reporting answers (never the whole result in memory; see streamPages).
 */
@Controller('api/v1/audit/export')
@UseGuards(ApiTokenGuard)
export class ExportAuditController {
  constructor(
    private readonly ask: AskService,
    private readonly access: AuditAccess,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  async export(@Query() query: unknown, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const { format, ...filters } = parseOrBadRequest(auditExportParams, query);
    if (filters.from && filters.to && Date.parse(filters.from) >= Date.parse(filters.to)) throw new BadRequestException('"from" must be before "to"');
    await this.access.check(req, filters.requestId);
    const page = async (after?: string): Promise<Page<AuditRecord>> => {
      const answer = await this.ask.ask('audit.query', filters.requestId ?? 'audit', toAuditQuery(filters, { after, limit: PAGE }));
      return { items: answer.records, nextCursor: answer.nextCursor };
    };
    const first = await page();
    res.status(200);
    res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader('content-disposition', `attachment; filename="gatehouse-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}"`);
    await streamPages(res, this.logger, 'audit export', first, page, {
      head: format === 'csv' ? csvLine(AUDIT_CSV_COLUMNS) : undefined,
      item: (record) => (format === 'csv' ? auditCsvRow(record) : `${JSON.stringify(record)}\n`),
    });
  }
}
