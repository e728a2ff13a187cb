import { Body, Controller, HttpCode, Inject, Post, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createEnvelope, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { SERVICE } from '../../config';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';
import { createRequestBodySchema } from './create-request.body';

export interface CreateRequestResponse {
  id: string;
  status: 'submitted';
  links: { audit: string };
}

/**
 * Turns the HTTP request into an `access.request.create` command. The gateway keeps no state:
 * the 202 is sent only after the broker has the command (acks=all), so a client that got an
 * answer never loses its request, and one that got a 503 knows nothing was written.
 */
@Controller('api/v1/requests')
@UseGuards(ApiTokenGuard)
export class CreateRequestController {
  constructor(
    private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('requests:write')
  async create(@Body() body: unknown): Promise<CreateRequestResponse> {
    const input = parseOrBadRequest(createRequestBodySchema, body);
    const requestId = randomUUID();
    const command = createEnvelope('access.request.create', requestId, { ...input, requestId, channel: 'api' }, { source: SERVICE });
    try {
      await this.publisher.publish([outgoing(command)]);
    } catch (error) {
      this.logger.error({ err: error, requestId }, 'could not queue access request');
      throw new ServiceUnavailableException('the request could not be queued because the message broker is unavailable; nothing was saved, try again shortly');
    }
    return { id: requestId, status: 'submitted', links: { audit: `/api/v1/audit?requestId=${requestId}` } };
  }
}
