import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { RequestView } from '@gatehouse/contracts';
import { z } from 'zod';
import { actingPrincipal, namedPersonSchema } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { refusal } from '../../http/refusal';

/** `approver` names the token owner again, or, for a service token with act-as, the approver it acts for. */
export const approveBody = z.strictObject({ approver: namedPersonSchema.optional() });
export const denyBody = z.strictObject({ approver: namedPersonSchema.optional(), reason: z.string().trim().min(1, 'say why, for the requester').max(2000) });

/**
 * POST /api/v1/requests/:id/approve and /deny. The approver is whoever the token proves; the
 * flow's policy in approval decides whether they may.
 */
@Controller('api/v1/requests/:id')
@UseGuards(ApiTokenGuard)
export class SubmitDecisionController {
  constructor(private readonly ask: AskService) {}

  @Post('approve')
  @HttpCode(200)
  async approve(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<{ result: string; request: RequestView }> {
    const { approver } = parseOrBadRequest(approveBody, body ?? {});
    return this.submit(id, req, approver, 'approve');
  }

  @Post('deny')
  @HttpCode(200)
  async deny(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<{ result: string; request: RequestView }> {
    const { approver, reason } = parseOrBadRequest(denyBody, body);
    return this.submit(id, req, approver, 'deny', reason);
  }

  private async submit(id: string, req: AuthenticatedRequest, approver: z.infer<typeof namedPersonSchema> | undefined, kind: 'approve' | 'deny', reason?: string) {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const reply = await this.ask.ask('access.decision.submit', requestId, { requestId, principal: actingPrincipal(req, approver), kind, reason });
    if (!reply.accepted) throw refusal(reply.code, reply.message);
    return { result: reply.result, request: reply.request };
  }
}
