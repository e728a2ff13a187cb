import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { FlowsFile } from '@gatehouse/config';
import type { TypedEnvelope } from '@gatehouse/contracts';
import { KafkaRequester, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SlackApp } from '../bolt/slack-app';
import { SERVICE } from '../config';
import { FLOWS } from '../flows/flows';
import { approvalMessage } from './approval-message';
import { postedMessages } from './posted-messages';

/**
 * A request that waits for approval: the approval message goes to the flow's request channel
 * and, when the flow says so, as a DM to each approver (listed users, and the members of its
 * approver groups asked of provisioning-okta's directory), each found in Slack by email.
 * Every message posted is recorded, in the same transaction as the event's inbox row.
 */
@Controller()
export class AskApproversHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    @Inject(FLOWS) private readonly flows: FlowsFile,
    private readonly slack: SlackApp,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('access.requested')
  async requested(@Payload() event: TypedEnvelope<'access.requested'>): Promise<void> {
    const client = this.slack.client;
    const flow = this.flows.flows.find((f) => f.name === event.data.flow);
    if (!client || !event.data.awaitsApproval || !flow) return;
    const target = flow.targets.find((t) => t.id === event.data.target);
    const message = approvalMessage({
      requestId: event.data.requestId,
      requester: event.data.requester,
      flow: flow.name,
      targetLabel: target?.label ?? event.data.target,
      durationSeconds: event.data.durationSeconds,
      reason: event.data.reason,
      approvals: { count: 0, required: flow.approval.required },
    });
    const approvers = flow.notifications.dmApprovers ? await this.approverEmails(flow.approval.approvers) : [];
    await this.uow.consumeOnce(SERVICE, event, async (tx) => {
      const destinations: { channel: string; recipient: string | null }[] = [];
      if (flow.notifications.requestChannel) destinations.push({ channel: flow.notifications.requestChannel, recipient: null });
      for (const email of approvers) {
        if (email.toLowerCase() === event.data.requester.email.toLowerCase() && !flow.approval.allowSelfApproval) continue;
        const user = await client.users.lookupByEmail({ email }).catch(() => undefined);
        const userId = user?.user?.id;
        if (!userId) {
          this.logger.warn({ email, requestId: event.data.requestId }, 'approver has no Slack account with that email; not asked in Slack');
          continue;
        }
        const dm = await client.conversations.open({ users: userId });
        if (dm.channel?.id) destinations.push({ channel: dm.channel.id, recipient: userId });
      }
      for (const destination of destinations) {
        const posted = await client.chat.postMessage({ channel: destination.channel, text: message.text, blocks: message.blocks as never });
        if (posted.channel && posted.ts) {
          await postedMessages.add(tx.manager, { channel: posted.channel, ts: posted.ts, requestId: event.data.requestId, kind: 'approval', recipient: destination.recipient });
        }
      }
    });
  }

  private async approverEmails(approvers: { users: string[]; groups: string[] }): Promise<string[]> {
    const emails = new Set(approvers.users.map((u) => u.toLowerCase()));
    for (const groupId of approvers.groups) {
      try {
        const { members } = await this.requester.request('directory.group_members', groupId, { groupId });
        for (const member of members) if (member.status === 'ACTIVE') emails.add(member.email.toLowerCase());
      } catch (error) {
        this.logger.warn({ err: error, groupId }, 'approver group members unknown (directory unavailable); its members are not asked by DM');
      }
    }
    return [...emails];
  }
}
