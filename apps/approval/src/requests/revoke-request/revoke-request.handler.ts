import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ChangeReply, TypedEnvelope } from '@gatehouse/contracts';
import { UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { AccessRequestEntity } from '../../database/access-request.entity';
import { FlowCatalog } from '../../flows/flow-catalog';
import { startRevoke } from '../../saga/start-revoke';
import { RequestViews } from '../request-views';

/**
 * `access.request.revoke` ("Revoke now"): the requester, a listed approver of the flow or an
 * admin takes active access away before it expires.
 */
@Controller()
export class RevokeRequestHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly views: RequestViews,
    private readonly flows: FlowCatalog,
  ) {}

  @MessagePattern('access.request.revoke')
  async handle(@Payload() command: TypedEnvelope<'access.request.revoke'>): Promise<ChangeReply> {
    const { requestId, actorIsAdmin } = command.data;
    const actor = command.data.actor.email.toLowerCase();
    const outcome = await this.uow.consumeOnce(SERVICE, command, async (tx): Promise<ChangeReply> => {
      const request = await tx.manager.findOne(AccessRequestEntity, { where: { id: requestId }, lock: { mode: 'pessimistic_write' } });
      if (!request) return { ok: false, code: 'not_found', message: `no access request ${requestId}` };
      const approvers = this.flows.get(request.flow)?.approval.approvers.users.map((u) => u.toLowerCase()) ?? [];
      if (!actorIsAdmin && request.requesterEmail !== actor && !approvers.includes(actor)) {
        return { ok: false, code: 'forbidden', message: `${actor} may not revoke this access: only the requester, an approver of the flow or an admin can` };
      }
      if (request.status !== 'ACTIVE') {
        return { ok: false, code: 'wrong_status', message: `the request is ${request.status.toLowerCase()}; only active access can be revoked` };
      }
      if (request.ending) return { ok: false, code: 'wrong_status', message: `access is already being taken away (${request.ending})` };
      await startRevoke(tx, request, 'revoked', command, actor);
      const view = await this.views.get(requestId, tx.manager);
      if (!view) throw new Error(`request ${requestId} vanished inside its own transaction`);
      return { ok: true, request: view };
    });
    return outcome.duplicate ? (outcome.previous ?? { ok: false, code: 'wrong_status', message: 'already handled' }) : outcome.result;
  }
}
