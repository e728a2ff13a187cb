import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ChangeReply, TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { AccessRequestEntity } from '../../database/access-request.entity';
import { RequestViews } from '../request-views';

/** `access.request.cancel`: the requester withdraws a request nobody has decided yet. */
@Controller()
export class CancelRequestHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly views: RequestViews,
  ) {}

  @MessagePattern('access.request.cancel')
  async handle(@Payload() command: TypedEnvelope<'access.request.cancel'>): Promise<ChangeReply> {
    const { requestId } = command.data;
    const actor = command.data.actor.email.toLowerCase();
    const outcome = await this.uow.consumeOnce(SERVICE, command, async (tx): Promise<ChangeReply> => {
      const request = await tx.manager.findOne(AccessRequestEntity, { where: { id: requestId }, lock: { mode: 'pessimistic_write' } });
      if (!request) return { ok: false, code: 'not_found', message: `no access request ${requestId}` };
      if (request.requesterEmail !== actor) return { ok: false, code: 'forbidden', message: 'only the requester can cancel a request' };
      if (request.status !== 'PENDING') {
        return { ok: false, code: 'wrong_status', message: `the request is ${request.status.toLowerCase()}; only a pending request can be cancelled` };
      }
      await tx.manager.update(AccessRequestEntity, { id: requestId }, { status: 'CANCELLED', endedAt: new Date(), endedBy: actor });
      await tx.manager.query(`UPDATE approval.timers SET fired_at = now() WHERE request_id = $1 AND fired_at IS NULL`, [requestId]);
      await tx.publish(createEnvelope('access.cancelled', requestId, { requestId, by: { email: actor }, status: 'CANCELLED' }, { source: SERVICE, causedBy: command }));
      const view = await this.views.get(requestId, tx.manager);
      if (!view) throw new Error(`request ${requestId} vanished inside its own transaction`);
      return { ok: true, request: view };
    });
    return outcome.duplicate ? (outcome.previous ?? { ok: false, code: 'wrong_status', message: 'already handled' }) : outcome.result;
  }
}
