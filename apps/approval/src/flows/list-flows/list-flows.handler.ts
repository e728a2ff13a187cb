import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { TypedEnvelope } from '@gatehouse/contracts';
import type { z } from 'zod';
import type { listFlowsReplySchema } from '@gatehouse/contracts';
import { Authorizer } from '../../policy/authorizer';
import { FlowCatalog } from '../flow-catalog';

/** `flows.list`: what may be requested (GET /api/v1/flows, the Slack request modal). */
@Controller()
export class ListFlowsHandler {
  constructor(
    private readonly flows: FlowCatalog,
    private readonly authorizer: Authorizer,
  ) {}

  @MessagePattern('flows.list')
  list(@Payload() query: TypedEnvelope<'flows.list'>): z.output<typeof listFlowsReplySchema> {
    const allowed = this.authorizer.check('flows.list', query.data.principal, undefined, undefined);
    if (allowed.outcome === 'refused') return { ok: false, code: 'forbidden', message: allowed.message };
    return { ok: true, flows: this.flows.summaries() };
  }
}
