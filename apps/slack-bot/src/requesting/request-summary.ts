import type { RequestView } from '@gatehouse/contracts';
import { formatDuration } from '@gatehouse/config';
import { mrkdwn, plain } from './block-text';

export const CANCEL_REQUEST = 'gatehouse_cancel_request';

/** The requester's DM once a request is in: what, for how long, where it stands, and "Cancel request". */
export function submittedMessage(request: RequestView): { text: string; blocks: Record<string, unknown>[] } {
  const what = `*${request.targetLabel}* (${request.flow}) for ${formatDuration(request.durationSeconds)}`;
  const where =
    request.status === 'PENDING'
      ? `Waiting for approval: ${request.approvals.count} of ${request.approvals.required}. You'll get a message here when it is decided.`
      : request.status === 'GRANTING'
        ? 'Approved by a rule of the flow: access is being granted now.'
        : request.status === 'CANCELLED'
          ? 'You cancelled it; the approvers have been told.'
          : `Status: ${request.status.toLowerCase().replace(/_/g, ' ')}.`;
  const text = `You asked for ${request.targetLabel} (${request.flow}) for ${formatDuration(request.durationSeconds)}. ${where}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(`You asked for ${what}.\n${where}`) },
    ...(request.reason ? [{ type: 'context', elements: [mrkdwn(`Reason: ${request.reason}`)] }] : []),
  ];
  if (request.status === 'PENDING') {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: CANCEL_REQUEST, value: request.id, text: plain('Cancel request'), style: 'danger' }] });
  }
  return { text, blocks };
}
