import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { ChangeReply, RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { actingPrincipal, namedPersonSchema } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { refusal } from '../../http/refusal';

/** `actor` names the token owner again, or the person a service token with act-as acts for. */
export const actorBody = z.strictObject({ actor: namedPersonSchema.optional() });

/**
 * POST /api/v1/requests/:id/cancel (the requester, while pending) and /revoke ("revoke now":
 * the requester, an approver of the flow, or an admin). Who may is approval's policy's call.
 */
@Controller('api/v1/requests/:id')
@UseGuards(ApiTokenGuard)
export class ChangeRequestController {
  constructor(private readonly ask: AskService) {}

  @Post('cancel')
  @HttpCode(200)
  async cancel(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<{ request: RequestView }> {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const { actor } = parseOrBadRequest(actorBody, body ?? {});
    return this.answer(await this.ask.ask('access.request.cancel', requestId, { requestId, principal: actingPrincipal(req, actor) }));
  }

  @Post('revoke')
  @HttpCode(200)
  async revoke(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<{ request: RequestView }> {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const { actor } = parseOrBadRequest(actorBody, body ?? {});
    return this.answer(await this.ask.ask('access.request.revoke', requestId, { requestId, principal: actingPrincipal(req, actor) }));
  }

  private answer(reply: ChangeReply): { request: RequestView } {
    if (!reply.ok) throw refusal(reply.code, reply.message);
    return { request: reply.request };
  }
}
