import { Body, Controller, Param, Post, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { actorSchema, type CreateRequestReply, type RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';

export const extendBody = z.strictObject({
  actor: actorSchema,
  durationSeconds: z.number().int().min(60),
  reason: z.string().trim().max(2000).optional(),
});
export const againBody = z.strictObject({
  actor: actorSchema,
  durationSeconds: z.number().int().min(60).optional(),
  reason: z.string().trim().max(2000).optional(),
});

/**
 * POST /api/v1/requests/:id/extend (more time on active access; the grant runs on while the
 * extension waits) and /again (a finished request, once more). Both make a new request,
 * decided by the flow's policy: 201, or 422 saying why not.
 */
@Controller('api/v1/requests/:id')
@UseGuards(ApiTokenGuard)
export class FollowUpRequestController {
  constructor(private readonly ask: AskService) {}

  @Post('extend')
  @RequireScope('requests:write')
  async extend(@Param('id') id: string, @Body() body: unknown): Promise<{ request: RequestView }> {
    const input = parseOrBadRequest(extendBody, body);
    return this.followUp(id, 'extension', input);
  }

  @Post('again')
  @RequireScope('requests:write')
  async again(@Param('id') id: string, @Body() body: unknown): Promise<{ request: RequestView }> {
    const input = parseOrBadRequest(againBody, body);
    return this.followUp(id, 'again', input);
  }

  private async followUp(id: string, kind: 'extension' | 'again', input: z.infer<typeof againBody>): Promise<{ request: RequestView }> {
    const basedOn = parseOrBadRequest(z.uuid(), id);
    const requestId = randomUUID();
    const reply: CreateRequestReply = await this.ask.ask('access.request.follow_up', requestId, { requestId, basedOn, kind, ...input, channel: 'api' });
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
