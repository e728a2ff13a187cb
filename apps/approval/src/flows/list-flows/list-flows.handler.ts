import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { FlowSummary } from '@gatehouse/contracts';
import { FlowCatalog } from '../flow-catalog';

/** `flows.list`: what may be requested (GET /api/v1/flows, the Slack request modal). */
@Controller()
export class ListFlowsHandler {
  constructor(private readonly flows: FlowCatalog) {}

  @MessagePattern('flows.list')
  list(): { flows: FlowSummary[] } {
    return { flows: this.flows.summaries() };
  }
}
