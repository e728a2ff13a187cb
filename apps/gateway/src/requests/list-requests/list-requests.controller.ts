import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { requestStatusSchema, type RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';

export const listParams = z.strictObject({
  requester: z.email().optional(),
  status: requestStatusSchema.optional(),
  flow: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** GET /api/v1/requests?requester=&status=&flow=&limit= — newest first. */
@Controller('api/v1/requests')
@UseGuards(ApiTokenGuard)
export class ListRequestsController {
  constructor(private readonly ask: AskService) {}

  @Get()
  @RequireScope('requests:read')
  async list(@Query() query: unknown): Promise<{ requests: RequestView[] }> {
    const { requester, ...rest } = parseOrBadRequest(listParams, query);
    return this.ask.ask('access.request.list', requester ?? 'all', { ...rest, requesterEmail: requester });
  }
}
