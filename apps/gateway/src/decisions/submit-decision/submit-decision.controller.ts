import { Body, Controller, HttpCode, HttpException, Param, Post, UseGuards } from '@nestjs/common';
import { actorSchema, type RequestView, type SubmitDecisionReply } from '@gatehouse/contracts';
import { z } from 'zod';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';

export const approveBody = z.strictObject({ approver: actorSchema });
export const denyBody = z.strictObject({ approver: actorSchema, reason: z.string().trim().min(1, 'say why, for the requester').max(2000) });

type Refusal = Extract<SubmitDecisionReply, { accepted: false }>;
const STATUS_OF: Record<Refusal['code'], number> = {
  not_found: 404,
  already_decided: 409,
  not_pending: 409,
  duplicate: 409,
  not_an_approver: 403,
  self_approval: 403,
  reason_required: 422,
  directory_unavailable: 503,
};

/**
 * POST /api/v1/requests/:id/approve and /deny. The approver is named in the body and checked
 * against the flow's policy by approval; the token only needs `decisions:write`.
 */
@Controller('api/v1/requests/:id')
@UseGuards(ApiTokenGuard)
export class SubmitDecisionController {
  constructor(private readonly ask: AskService) {}

  @Post('approve')
  @HttpCode(200)
  @RequireScope('decisions:write')
  async approve(@Param('id') id: string, @Body() body: unknown): Promise<{ result: string; request: RequestView }> {
    const { approver } = parseOrBadRequest(approveBody, body);
    return this.submit(id, { approver, kind: 'approve' });
  }

  @Post('deny')
  @HttpCode(200)
  @RequireScope('decisions:write')
  async deny(@Param('id') id: string, @Body() body: unknown): Promise<{ result: string; request: RequestView }> {
    const { approver, reason } = parseOrBadRequest(denyBody, body);
    return this.submit(id, { approver, kind: 'deny', reason });
  }

  private async submit(id: string, decision: { approver: { email: string }; kind: 'approve' | 'deny'; reason?: string }) {
    const requestId = parseOrBadRequest(z.uuid(), id);
    const reply = await this.ask.ask('access.decision.submit', requestId, { requestId, ...decision, channel: 'api' });
    if (!reply.accepted) {
      const status = STATUS_OF[reply.code];
      throw new HttpException({ statusCode: status, code: reply.code, message: reply.message }, status);
    }
    return { result: reply.result, request: reply.request };
  }
}
