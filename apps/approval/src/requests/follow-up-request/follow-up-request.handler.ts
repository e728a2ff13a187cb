import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { CreateRequestReply, TypedEnvelope } from '@gatehouse/contracts';
import { isFinal } from '../../lifecycle/transitions';
import { RequestViews } from '../request-views';
import { RequestCreator } from '../create-request/request-creator';

/**
 * `access.request.follow_up`: "Extend" (more time on active access) or "Request again" (a
 * finished request, once more). Either way a new request for the same flow and target, from
 * the same person, decided by the same policy. While an extension waits, the original grant
 * runs on; provisioning keeps a membership while any grant still needs it.
 */
@Controller()
export class FollowUpRequestHandler {
  constructor(
    private readonly views: RequestViews,
    private readonly creator: RequestCreator,
  ) {}

  @MessagePattern('access.request.follow_up')
  async handle(@Payload() command: TypedEnvelope<'access.request.follow_up'>): Promise<CreateRequestReply> {
    const { basedOn, kind, actor, requestId } = command.data;
    // Asked again (a redelivery, a client retry): answer with what was made the first time.
    const existing = await this.views.get(requestId);
    if (existing) return { outcome: 'created', request: existing };
    const base = await this.views.get(basedOn);
    if (!base) return { outcome: 'rejected', problems: [{ field: 'basedOn', message: `no access request ${basedOn}` }] };
    if (base.requester.email.toLowerCase() !== actor.email.toLowerCase()) {
      return { outcome: 'rejected', problems: [{ field: 'actor', message: `only ${base.requester.email}, who asked for it, can ${kind === 'extension' ? 'extend' : 'repeat'} this request` }] };
    }
    if (kind === 'extension' && (base.status !== 'ACTIVE' || base.access?.ending)) {
      return { outcome: 'rejected', problems: [{ field: 'basedOn', message: `only active access can be extended; this request is ${base.status.toLowerCase()}${base.access?.ending ? ' and ending' : ''}` }] };
    }
    if (kind === 'again' && !isFinal(base.status)) {
      return { outcome: 'rejected', problems: [{ field: 'basedOn', message: `the request is ${base.status.toLowerCase()}; ask again once it has finished` }] };
    }
    return this.creator.create(
      command,
      {
        requestId,
        requester: base.requester,
        flow: base.flow,
        target: base.target,
        durationSeconds: command.data.durationSeconds ?? base.durationSeconds,
        reason: command.data.reason ?? base.reason,
        channel: command.data.channel,
      },
      { requestId: basedOn, kind },
    );
  }
}
