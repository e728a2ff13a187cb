import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { systemActor, type Envelope, type Principal, type RequestView } from '@gatehouse/contracts';
import { formatDuration, type FlowsFile } from '@gatehouse/config';
import { KafkaRequester, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { sendDm } from '../bolt/direct-message';
import { SlackApp } from '../bolt/slack-app';
import { SERVICE } from '../config';
import { FLOWS } from '../flows/flows';
import { grantedMessage } from '../requesting/active-access';
import { approvalMessage, cardOf } from './approval-message';
import { postedMessages } from './posted-messages';

/** slack-bot reads requests as Gatehouse itself (the policy lets the system read). */
const SLACK_BOT: Principal = { actor: systemActor('slack-bot'), scopes: [] };

/** The moves of a request that change what its messages say. */
const STATE_CHANGES = [
  'access.decision.recorded',
  'access.approved',
  'access.denied',
  'access.cancelled',
  'access.timed_out',
  'access.activated',
  'access.grant_failed',
  'access.revoking',
  'access.ended',
  'access.revoke_failed',
] as const;

/** What goes to the flow's error channel, for the people who keep Gatehouse running. */
function errorReport(type: string, request: RequestView, cause: string | undefined): string | undefined {
  const about = `request ${request.id} (${request.targetLabel}, ${request.flow}, for ${request.requester.email})`;
  if (type === 'access.grant_failed') return `:rotating_light: Granting failed for ${about}: ${request.failure ?? cause ?? 'unknown cause'}`;
  if (type === 'access.revoke_failed') return `:rotating_light: Taking access away failed for ${about}: ${cause ?? 'unknown cause'}. Gatehouse tries again in a minute; check Okta if it keeps failing.`;
  return undefined;
}

/** The moves the requester hears about by DM (they did the cancelling themselves). */
const TOLD_TO_REQUESTER: ReadonlySet<string> = new Set(['access.denied', 'access.activated', 'access.grant_failed', 'access.timed_out', 'access.ended']);

/** What the requester is told by DM, and when. */
function requesterNews(type: string, request: RequestView): string | undefined {
  const what = `${request.targetLabel} (${request.flow}) for ${formatDuration(request.durationSeconds)}`;
  const denial = [...request.decisions].reverse().find((d) => d.kind === 'deny');
  switch (type) {
    case 'access.denied':
      return `:no_entry: Your request for ${what} was denied by ${denial?.approverEmail ?? 'an approver'}: ${denial?.reason ?? ''}. You can ask again with \`/access\`.`;
    case 'access.activated':
      return `:white_check_mark: You have ${request.targetLabel} (${request.flow}) until ${request.access?.expiresAt ?? '?'}.`;
    case 'access.grant_failed':
      return `:warning: Your request for ${what} was approved, but granting it failed: ${request.failure ?? 'unknown cause'}. Your admin has the details.`;
    case 'access.timed_out':
      return `:hourglass: Nobody decided on your request for ${what} in time, so it lapsed. You can ask again with \`/access\`.`;
    case 'access.ended':
      return request.status === 'EXPIRED' ? `:checkered_flag: Your access to ${request.targetLabel} (${request.flow}) has expired and was removed.` : `:checkered_flag: Your access to ${request.targetLabel} (${request.flow}) was revoked.`;
    default:
      return undefined;
  }
}

/**
 * Every copy of a request's approval message is brought up to date on each move of the
 * request, from the request as it now is (so the last state wins on every copy, whatever was
 * missed), and the requester is told what matters to them. Handled once per event.
 */
@Controller()
export class KeepInStepHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    private readonly slack: SlackApp,
    @Inject(FLOWS) private readonly flows: FlowsFile,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern([...STATE_CHANGES])
  async changed(@Payload() event: Envelope<{ requestId: string; cause?: string }>): Promise<void> {
    const client = this.slack.client;
    if (!client) return;
    const { requestId } = event.data;
    await this.uow.consumeOnce(SERVICE, event, async (tx) => {
      const copies = await postedMessages.of(tx.manager, requestId, 'approval');
      const failure = event.type === 'access.grant_failed' || event.type === 'access.revoke_failed';
      if (copies.length === 0 && !TOLD_TO_REQUESTER.has(event.type) && !failure) return;
      const reply = await this.requester.request('access.request.get', requestId, { requestId, principal: SLACK_BOT });
      if (!reply.ok) return;
      const message = approvalMessage(cardOf(reply.request));
      for (const copy of copies) {
        await client.chat.update({ channel: copy.channel, ts: copy.ts, text: message.text, blocks: message.blocks as never }).catch((error: unknown) => {
          this.logger.warn({ err: error, requestId, channel: copy.channel }, 'could not update an approval message; the next change will try again');
        });
      }
      const errorChannel = this.flows.flows.find((f) => f.name === reply.request.flow)?.notifications.errorChannel;
      const report = errorChannel ? errorReport(event.type, reply.request, event.data.cause) : undefined;
      if (errorChannel && report) {
        await client.chat.postMessage({ channel: errorChannel, text: report }).catch((error: unknown) => {
          this.logger.error({ err: error, requestId, channel: errorChannel }, 'could not post to the flow\'s error channel');
        });
      }
      const text = requesterNews(event.type, reply.request);
      if (!text) return;
      const slackUserId = reply.request.requester.slackUserId ?? (await client.users.lookupByEmail({ email: reply.request.requester.email }).catch(() => undefined))?.user?.id;
      if (slackUserId) await sendDm(client, slackUserId, event.type === 'access.activated' ? grantedMessage(reply.request, text) : { text });
    });
  }
}
