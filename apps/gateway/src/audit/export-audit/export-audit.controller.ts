import { BadRequestException, Controller, Get, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { Response } from 'express';
import { z } from 'zod';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { AuditAccess } from '../audit-access';
import { auditFilterParams, toAuditQuery } from '../audit-query-params';
import { AUDIT_CSV_COLUMNS, auditCsvRow, csvLine } from './audit-csv';

export const auditExportParams = auditFilterParams.extend({ format: z.enum(['jsonl', 'csv']).default('jsonl') });

/** Records asked of audit-reporting at a time: one page in memory, whatever the export's size. */
const PAGE = 500;

/**
 * GET /api/v1/audit/export?format=jsonl|csv — every matching record, streamed page by page as
 * audit-reporting answers (never the whole result in memory), waiting for the client to take
 * each page before asking for the next.
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
    if (filters.from && filters.to && filters.from >= filters.to) throw new BadRequestException('"from" must be before "to"');
    await this.access.check(req, filters.requestId);
    // The first page before any byte is sent: a failure here is still a proper error answer.
    let page = await this.ask.ask('audit.query', filters.requestId ?? 'audit', toAuditQuery(filters, { limit: PAGE }));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader('content-disposition', `attachment; filename="gatehouse-audit-${stamp}.${format}"`);
    let closed = false;
    res.on('close', () => (closed = true));
    const write = async (text: string) => {
      if (!res.write(text)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    };
    let count = 0;
    try {
      if (format === 'csv') await write(csvLine(AUDIT_CSV_COLUMNS));
      for (;;) {
        for (const record of page.records) await write(format === 'csv' ? auditCsvRow(record) : `${JSON.stringify(record)}\n`);
        count += page.records.length;
        if (!page.nextCursor || closed) break;
        page = await this.ask.ask('audit.query', filters.requestId ?? 'audit', toAuditQuery(filters, { after: page.nextCursor, limit: PAGE }));
      }
      res.end();
    } catch (error) {
      // Headers are gone: cut the stream short, so the client sees an incomplete transfer, not a clean end.
      this.logger.error({ err: error, exported: count }, 'audit export failed part-way; the download was cut short');
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
