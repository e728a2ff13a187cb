import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { FlowsFile } from '@gatehouse/config';
import { systemActor, type Principal, type TypedEnvelope } from '@gatehouse/contracts';
import { KafkaRequester, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SlackApp } from '../bolt/slack-app';
import { SERVICE } from '../config';
import { FLOWS } from '../flows/flows';
import { slackTime } from '../messages/slack-time';
import { queueSlackWork, type SlackWork } from '../outgoing/slack-work';
import { SlackWorkRunner } from '../outgoing/slack-work.runner';
import { cardOf } from './approval-message';
import { approverEmails } from './approver-emails';

const SLACK_BOT: Principal = { actor: systemActor('slack-bot'), scopes: [] };

/**
 * A request nobody has decided for a while is not left to lapse in silence: at the flow's
 * remindAfter a reminder goes in the thread of every copy of its approval message; at its
 * escalateAfter the backup approvers are asked by DM (they may decide from then on) and the
 * threads say who was added.
 */
@Controller()
export class WaitingTooLongHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    @Inject(FLOWS) private readonly flows: FlowsFile,
    private readonly slack: SlackApp,
    private readonly runner: SlackWorkRunner,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('access.approvers_reminded')
  async reminded(@Payload() event: TypedEnvelope<'access.approvers_reminded'>): Promise<void> {
    if (!this.slack.client) return;
    const { requestId, approvals, required, waitingSince } = event.data;
    const flow = await this.flowOf(requestId);
    if (!flow) return;
    const text = `:bell: Reminder: this request is still waiting for a decision (${approvals} of ${required} approval${required === 1 ? '' : 's'} so far), asked ${slackTime(waitingSince)}.`;
    await this.queue(event, requestId, [{ kind: 'thread', flow, text }]);
  }

  @EventPattern('access.escalated')
  async escalated(@Payload() event: TypedEnvelope<'access.escalated'>): Promise<void> {
    if (!this.slack.client) return;
    const { requestId, backupApprovers } = event.data;
    const reply = await this.requester.request('access.request.get', requestId, { requestId, principal: SLACK_BOT });
    if (!reply.ok || reply.request.status !== 'PENDING') return;
    const request = reply.request;
    const flow = this.flows.flows.find((f) => f.name === request.flow);
    const requesterEmail = request.requester.email.toLowerCase();
    const backups = (await approverEmails(this.requester, this.logger, backupApprovers)).filter((email) => email !== requesterEmail || flow?.approval.allowSelfApproval);
    const works: SlackWork[] = [
      { kind: 'thread', flow: request.flow, text: `:arrow_heading_up: Nobody has decided since ${slackTime(request.createdAt)}, so backup approvers are asked too: ${backups.join(', ') || 'none found'}.` },
      ...(backups.length > 0 ? [{ kind: 'ask', flow: request.flow, card: cardOf(request), to: backups.map((approver) => ({ approver })) } satisfies SlackWork] : []),
      // Their Homes now show it waiting for them too.
      ...backups.map((to): SlackWork => ({ kind: 'home', to })),
    ];
    await this.queue(event, requestId, works);
  }

  private async flowOf(requestId: string): Promise<string | undefined> {
    const reply = await this.requester.request('access.request.get', requestId, { requestId, principal: SLACK_BOT });
    return reply.ok && reply.request.status === 'PENDING' ? reply.request.flow : undefined;
  }

  private async queue(event: TypedEnvelope<'access.approvers_reminded' | 'access.escalated'>, requestId: string, works: SlackWork[]): Promise<void> {
    await this.uow.consumeInOneStatement(SERVICE, event, (writes) => queueSlackWork(writes, requestId, works));
    this.runner.nudge();
  }
}
