import { BadRequestException, Controller, Get, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { AccessReviewRow } from '@gatehouse/contracts';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { Response } from 'express';
import { z } from 'zod';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { AuditAccess } from '../audit-access';
import { csvLine } from '../export-audit/audit-csv';
import { streamPages, type Page } from '../stream-pages';

export const accessReviewParams = z.object({
  from: z.iso.datetime({ offset: true }).describe('start of the range (RFC 3339)'),
  to: z.iso.datetime({ offset: true }).describe('end of the range, exclusive (RFC 3339)'),
  flow: z.string().min(1).max(100).optional(),
  requester: z.email().optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export const ACCESS_REVIEW_COLUMNS = ['request', 'requester', 'flow', 'target', 'okta_group', 'reason', 'requested_at', 'approved_by', 'auto_approved', 'granted_at', 'ended_at', 'ended', 'ended_by', 'held_seconds', 'held_seconds_in_range'] as const;

function csvRow(row: AccessReviewRow): string {
  return csvLine([
    row.requestId,
    row.requester,
    row.flow,
    row.target,
    row.oktaGroupId,
    row.reason,
    row.requestedAt,
    row.approvedBy.map((a) => `${a.by} at ${a.at}`).join('; '),
    row.autoApproved,
    row.grantedAt,
    row.endedAt,
    row.ended,
    row.endedBy,
    row.heldSeconds,
    row.heldSecondsInRange,
  ]);
}

const PAGE = 200;

/**
 * GET /api/v1/audit/access-review?from=…&to=… — who held which access in the range, when,
 * approved by whom, for how long: JSON or CSV, streamed page by page from audit-reporting.
 */
@Controller('api/v1/audit/access-review')
@UseGuards(ApiTokenGuard)
export class AccessReviewController {
  constructor(
    private readonly ask: AskService,
    private readonly access: AuditAccess,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  async review(@Query() query: unknown, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const { format, ...range } = parseOrBadRequest(accessReviewParams, query);
    if (Date.parse(range.from) >= Date.parse(range.to)) throw new BadRequestException('"from" must be before "to"');
    await this.access.check(req);
    const page = async (after?: string): Promise<Page<AccessReviewRow>> => {
      const answer = await this.ask.ask('audit.access_review', 'audit', { ...range, ...(after ? { after } : {}), limit: PAGE });
      return { items: answer.rows, nextCursor: answer.nextCursor };
    };
    const first = await page();
    res.status(200);
    res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json');
    if (format === 'csv') res.setHeader('content-disposition', `attachment; filename="gatehouse-access-review-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv"`);
    await streamPages(
      res,
      this.logger,
      'access review',
      first,
      page,
      format === 'csv'
        ? { head: csvLine(ACCESS_REVIEW_COLUMNS), item: csvRow }
        : { head: `{"from":${JSON.stringify(range.from)},"to":${JSON.stringify(range.to)},"rows":[`, item: (row, i) => `${i === 0 ? '' : ','}${JSON.stringify(row)}`, tail: ']}' },
    );
  }
}
