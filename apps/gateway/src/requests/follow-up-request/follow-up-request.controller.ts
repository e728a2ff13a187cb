import { Body, Controller, Param, Post, Req, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CreateRequestReply, RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { actingPrincipal, namedPersonSchema } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { refusal } from '../../http/refusal';

export const extendBody = z.strictObject({
  actor: namedPersonSchema.optional(),
  durationSeconds: z.number().int().min(60),
  reason: z.string().trim().max(2000).optional(),
});
export const againBody = z.strictObject({
  actor: namedPersonSchema.optional(),
  durationSeconds: z.number().int().min(60).optional(),
  reason: z.string().trim().max(2000).optional(),
});

/**
 * POST /api/v1/requests/:id/extend (more time on active access; the grant runs on while the
 * extension waits) and /again (a finished request, once more). Both make a new request,
 * decided by the flow's policy: 201, 403 if it is not yours, or 422 saying why not.
 */
@Controller('api/v1/requests/:id')
@UseGuards(ApiTokenGuard)
export class FollowUpRequestController {
  constructor(private readonly ask: AskService) {}

  @Post('extend')
  async extend(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<{ request: RequestView }> {
    return this.followUp(id, 'extension', parseOrBadRequest(extendBody, body), req);
  }

  @Post('again')
  async again(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<{ request: RequestView }> {
    return this.followUp(id, 'again', parseOrBadRequest(againBody, body ?? {}), req);
  }

  private async followUp(id: string, kind: 'extension' | 'again', input: z.infer<typeof againBody>, req: AuthenticatedRequest): Promise<{ request: RequestView }> {
    const basedOn = parseOrBadRequest(z.uuid(), id);
    const requestId = randomUUID();
    const { actor, ...rest } = input;
    const reply: CreateRequestReply = await this.ask.ask('access.request.follow_up', requestId, { requestId, basedOn, kind, ...rest, principal: actingPrincipal(req, actor) });
    if (reply.outcome === 'forbidden') throw refusal('forbidden', reply.message);
    if (reply.outcome === 'rejected') {
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: reply.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        problems: reply.problems,
      });
    }
    return { request: reply.request };
  }
}
