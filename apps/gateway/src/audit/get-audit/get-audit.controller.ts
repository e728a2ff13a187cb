import { Controller, Get, GatewayTimeoutException, Inject, Query, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import type { AuditQueryResult } from '@gatehouse/contracts';
import { KafkaRequester, RequestTimeoutError } from '@gatehouse/messaging';
import { z } from 'zod';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config';
import { parseOrBadRequest } from '../../http/parse-or-bad-request';

const auditQueryParams = z.object({
  requestId: z.uuid(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** GET /api/v1/audit?requestId=… — the request's audit trail, asked of audit-reporting over Kafka. */
@Controller('api/v1/audit')
@UseGuards(ApiTokenGuard)
export class GetAuditController {
  constructor(
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @RequireScope('audit:read')
  async list(@Query() query: unknown): Promise<AuditQueryResult> {
    const { requestId, limit } = parseOrBadRequest(auditQueryParams, query);
    try {
      return await this.requester.request('audit.query', requestId, { requestId, limit }, { timeoutMs: this.config.queryTimeoutMs });
    } catch (error) {
      if (error instanceof RequestTimeoutError) throw new GatewayTimeoutException(error.message);
      throw new ServiceUnavailableException(`the audit service could not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
