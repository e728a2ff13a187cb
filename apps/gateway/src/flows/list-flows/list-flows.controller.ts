import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { FlowSummary } from '@gatehouse/contracts';
import { actingPrincipal } from '../../auth/acting-principal';
import { ApiTokenGuard, type AuthenticatedRequest } from '../../auth/api-token.guard';
import { AskService } from '../../http/ask-service';
import { refusal } from '../../http/refusal';

/** GET /api/v1/flows — what may be requested, for how long, and how many approvals it needs. */
@Controller('api/v1/flows')
@UseGuards(ApiTokenGuard)
export class ListFlowsController {
  constructor(private readonly ask: AskService) {}

  @Get()
  async list(@Req() req: AuthenticatedRequest): Promise<{ flows: FlowSummary[] }> {
    const reply = await this.ask.ask('flows.list', 'flows', { principal: actingPrincipal(req) });
    if (!reply.ok) throw refusal(reply.code, reply.message);
    return { flows: reply.flows };
  }
}
