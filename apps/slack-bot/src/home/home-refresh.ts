import type { Flow } from '@gatehouse/config';
import type { KafkaRequester } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';
import { approverEmails } from '../approvals/approver-emails';
import type { SlackWork } from '../outgoing/slack-work';

/**
 * The App Homes a move of a request changes: its requester's (their requests, their access)
 * and its approvers' (what waits for their decision), the backup approvers' too once it was
 * escalated. Queued with the event's other Slack work.
 */
export async function homeRefreshes(
  requester: KafkaRequester,
  logger: Logger,
  flow: Flow | undefined,
  request: { requesterEmail: string; escalated: boolean },
  knownApprovers?: readonly string[],
): Promise<SlackWork[]> {
  let approvers: readonly string[] = knownApprovers ?? [];
  if (!knownApprovers && flow) {
    const { approvers: primary, backupApprovers } = flow.approval;
    const asked = request.escalated ? { users: [...primary.users, ...backupApprovers.users], groups: [...primary.groups, ...backupApprovers.groups] } : primary;
    approvers = await approverEmails(requester, logger, asked);
  }
  const people = new Set([request.requesterEmail.toLowerCase(), ...approvers]);
  return [...people].map((to): SlackWork => ({ kind: 'home', to }));
}
