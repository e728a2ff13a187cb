import { Injectable } from '@nestjs/common';
import { actingPrincipal } from '../auth/acting-principal';
import type { AuthenticatedRequest } from '../auth/api-token.guard';
import { AskService } from '../http/ask-service';
import { refusal } from '../http/refusal';

/** One policy for every action: approval decides whether this principal may read the audit trail. */
@Injectable()
export class AuditAccess {
  constructor(private readonly ask: AskService) {}

  async check(req: AuthenticatedRequest, requestId?: string): Promise<void> {
    const allowed = await this.ask.ask('access.authorize', requestId ?? 'audit', { action: 'audit.read', principal: actingPrincipal(req), ...(requestId ? { requestId } : {}) });
    if (!allowed.allowed) throw refusal(allowed.code, allowed.message);
  }
}
