import { Body, Controller, HttpCode, HttpException, Param, Post, Req, UseGuards } from '@nestjs/common';
import { actorSchema, type ChangeReply, type RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { ApiTokenGuard, RequireScope, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { grants } from '../../auth/scopes';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';

export const actorBody = z.strictObject({ actor: actorSchema });
const STATUS_OF: Record<Extract<ChangeReply, { ok: false }>['code'], number> = { not_found: 404, forbidden: 403, wrong_status: 409 };

/**
 * POST /api/v1/requests/:id/cancel (the requester, while pending) and /revoke ("revoke now":
 * the requester, an approver of the flow, or anyone when the token has the admin scope).
 */
@Controller('api/v1/requests/:id')
@UseGuards(ApiTokenGuard)
export class ChangeRequestController {
  constructor(private readonly ask: AskService) {}

  @Post('cancel')
  @HttpCode(200)
  @RequireScope('requests:write')
  async cancel(@Param('id') id: string, @Body() body: unknown): Promise<{ request: RequestView }> {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const { actor } = parseOrBadRequest(actorBody, body);
    return this.answer(await this.ask.ask('access.request.cancel', requestId, { requestId, actor }));
  }

  @Post('revoke')
  @HttpCode(200)
  @RequireScope('requests:write')
  async revoke(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<{ request: RequestView }> {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const { actor } = parseOrBadRequest(actorBody, body);
    const actorIsAdmin = grants(req.principal.scopes, 'admin');
    return this.answer(await this.ask.ask('access.request.revoke', requestId, { requestId, actor, actorIsAdmin }));
  }

  private answer(reply: ChangeReply): { request: RequestView } {
    if (!reply.ok) throw new HttpException({ statusCode: STATUS_OF[reply.code], code: reply.code, message: reply.message }, STATUS_OF[reply.code]);
    return { request: reply.request };
  }
}
