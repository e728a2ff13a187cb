import { Controller, Get, UseGuards } from '@nestjs/common';
import type { FlowSummary } from '@gatehouse/contracts';
import { ApiTokenGuard, RequireScope } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';

/** GET /api/v1/flows — what may be requested, for how long, and how many approvals it needs. */
@Controller('api/v1/flows')
@UseGuards(ApiTokenGuard)
export class ListFlowsController {
  constructor(private readonly ask: AskService) {}

  @Get()
  @RequireScope('requests:read')
  async list(): Promise<{ flows: FlowSummary[] }> {
    return this.ask.ask('flows.list', 'flows', {});
  }
}
