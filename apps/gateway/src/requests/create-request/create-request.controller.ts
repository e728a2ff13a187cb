import { Body, Controller, GatewayTimeoutException, HttpStatus, Post, Req, Res, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { RequestView } from '@gatehouse/contracts';
import type { Response } from 'express';
import { actingPrincipal } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { refusal } from '../../http/refusal';
import { createRequestBodySchema } from './create-request.body';

export type CreateRequestResponse = { request: RequestView } | { id: string; status: 'submitted'; message: string; links: { self: string } };

/**
 * POST /api/v1/requests → `access.request.create`, waiting for approval's answer: 201 with
 * the request, 403 if the token may not ask (for this person), or 422 naming what the flow
 * does not allow. If approval does not answer in time the command is still safe in Kafka and
 * will be processed: 202 with the id to poll. 503 means the broker did not take it.
 */
@Controller('api/v1/requests')
@UseGuards(ApiTokenGuard)
export class CreateRequestController {
  constructor(private readonly ask: AskService) {}

  @Post()
  async create(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<CreateRequestResponse> {
    const { requester, ...fields } = parseOrBadRequest(createRequestBodySchema, body);
    const principal = actingPrincipal(req, requester);
    const requestId = randomUUID();
    try {
      const reply = await this.ask.ask('access.request.create', requestId, { ...fields, requestId, principal });
      if (reply.outcome === 'forbidden') throw refusal('forbidden', reply.message);
      if (reply.outcome === 'rejected') {
        throw new UnprocessableEntityException({
          statusCode: 422,
          error: 'Unprocessable Entity',
          message: `the flow does not allow this request: ${reply.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
          problems: reply.problems,
        });
      }
      res.status(HttpStatus.CREATED).location(`/api/v1/requests/${requestId}`);
      return { request: reply.request };
    } catch (error) {
      if (!(error instanceof GatewayTimeoutException)) throw error;
      res.status(HttpStatus.ACCEPTED).location(`/api/v1/requests/${requestId}`);
      return {
        id: requestId,
        status: 'submitted',
        message: 'the request is queued but approval has not answered yet; fetch it in a moment',
        links: { self: `/api/v1/requests/${requestId}` },
      };
    }
  }
}
