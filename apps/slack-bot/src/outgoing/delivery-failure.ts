import { systemActor } from '@gatehouse/contracts';
import type { FlowsFile } from '@gatehouse/config';
import { createEnvelope, type Transaction } from '@gatehouse/messaging';
import { SERVICE } from '../config';
import { describeSlackFailure } from '../slack-api/slack-failure';
import type { SlackCallFailed } from '../slack-api/slack-call-failed';
import { queueSlackWork, type SlackWork } from './slack-work';

function flowOf(work: SlackWork): string | undefined {
  return 'flow' in work ? work.flow : undefined;
}

/** `<#C123>` for a channel id, so Slack shows its name; names and DMs as they are. */
function place(destination: string): string {
  return /^C[A-Z0-9]+$/.test(destination) ? `<#${destination}>` : destination;
}

/**
 * Slack work that will not succeed is not dropped silently: it is audited
 * (`slack.delivery_failed`), reported in the flow's error channel with the request id and the
 * cause, and when the approvers could not be asked in the flow's channel, the requester hears
 * it in plain words. Reports and requester notes that fail in turn are only audited.
 */
export async function reportDeliveryFailure(tx: Transaction, flows: FlowsFile, requestId: string, work: SlackWork, failed: SlackCallFailed, attempts: number): Promise<void> {
  const description = describeSlackFailure(failed.failure);
  await tx.publish(
    createEnvelope(
      'slack.delivery_failed',
      requestId,
      { requestId, actor: systemActor('slack-bot'), method: failed.method, destination: failed.destination, purpose: failed.purpose, error: failed.failure.code, description, attempts },
      { source: SERVICE },
    ),
  );
  if (work.kind === 'report') return;
  const flow = flows.flows.find((f) => f.name === flowOf(work));
  const follow: SlackWork[] = [];
  const errorChannel = flow?.notifications.errorChannel;
  if (errorChannel && !(work.kind === 'dm' && work.purpose === 'note to the requester about a Slack failure')) {
    follow.push({ kind: 'report', channel: errorChannel, text: `:warning: Slack could not deliver the ${failed.purpose} for request ${requestId} to ${place(failed.destination)}: ${description}.` });
  }
  const channel = work.kind === 'ask' ? work.to.flatMap((to) => ('channel' in to ? [to.channel] : []))[0] : undefined;
  if (work.kind === 'ask' && channel) {
    follow.push({
      kind: 'dm',
      flow: work.flow,
      to: work.card.requester,
      purpose: 'note to the requester about a Slack failure',
      message: {
        text: `:warning: Your request for ${work.card.targetLabel} (${work.flow}) is waiting for approval, but Gatehouse could not post it to ${place(channel)} for the approvers: ${description}. Your Gatehouse admin has been told. Meanwhile you can send an approver the request id ${requestId}.`,
      },
    });
  }
  queueSlackWork(tx, requestId, follow);
}
