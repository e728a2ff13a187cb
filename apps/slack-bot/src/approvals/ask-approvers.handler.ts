import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { FlowsFile } from '@gatehouse/config';
import type { TypedEnvelope } from '@gatehouse/contracts';
import { KafkaRequester, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SlackApp } from '../bolt/slack-app';
import { SERVICE } from '../config';
import { FLOWS } from '../flows/flows';
import { SlackWorkRunner } from '../outgoing/slack-work.runner';
import { queueSlackWork, type AskRecipient, type SlackWork } from '../outgoing/slack-work';
import type { ApprovalCard } from './approval-message';
import { approverEmails } from './approver-emails';
import { homeRefreshes } from '../home/home-refresh';

/**
 * A request that waits for approval: the approval message goes to the flow's request channel
 * and, when the flow says so, as a DM to each approver (listed users, and the members of its
 * approver groups asked of provisioning-okta's directory). Each is queued work, in the same
 * transaction as the event's inbox row; Slack is called after the commit.
 */
@Controller()
export class AskApproversHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    @Inject(FLOWS) private readonly flows: FlowsFile,
    private readonly slack: SlackApp,
    private readonly runner: SlackWorkRunner,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('access.requested')
  async requested(@Payload() event: TypedEnvelope<'access.requested'>): Promise<void> {
    const flow = this.flows.flows.find((f) => f.name === event.data.flow);
    if (!this.slack.client || !event.data.awaitsApproval || !flow) return;
    const target = flow.targets.find((t) => t.id === event.data.target);
    const card: ApprovalCard = {
      requestId: event.data.requestId,
      requester: event.data.requester,
      flow: flow.name,
      targetLabel: target?.label ?? event.data.target,
      durationSeconds: event.data.durationSeconds,
      reason: event.data.reason,
      approvals: { count: 0, required: flow.approval.required },
    };
    const requesterEmail = event.data.requester.email.toLowerCase();
    const everyApprover = await approverEmails(this.requester, this.logger, flow.approval.approvers);
    const approvers = flow.notifications.dmApprovers ? everyApprover : [];
    const to: AskRecipient[] = [];
    if (flow.notifications.requestChannel) to.push({ channel: flow.notifications.requestChannel });
    for (const approver of approvers) {
      if (approver === requesterEmail && !flow.approval.allowSelfApproval) continue;
      to.push({ approver });
    }
    const works: SlackWork[] = to.length > 0 ? [{ kind: 'ask', flow: flow.name, card, to }] : [];
    works.push(...(await homeRefreshes(this.requester, this.logger, flow, { requesterEmail, escalated: false }, everyApprover)));
    await this.uow.consumeInOneStatement(SERVICE, event, (writes) => queueSlackWork(writes, event.data.requestId, works));
    this.runner.nudge();
  }
}
