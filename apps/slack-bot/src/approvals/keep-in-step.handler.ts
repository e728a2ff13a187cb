import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { describeActor, systemActor, type Actor, type Envelope, type Principal, type RequestView } from '@gatehouse/contracts';
import { formatDuration, type FlowsFile } from '@gatehouse/config';
import { KafkaRequester, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SlackApp } from '../bolt/slack-app';
import { homeRefreshes } from '../home/home-refresh';
import { SERVICE } from '../config';
import { FLOWS } from '../flows/flows';
import { slackTime } from '../messages/slack-time';
import { grantedMessage } from '../requesting/active-access';
import { queueSlackWork, type SlackWork } from '../outgoing/slack-work';
import { SlackWorkRunner } from '../outgoing/slack-work.runner';

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
  'access.expiring',
] as const;

/** What goes to the flow's error channel, for the people who keep Gatehouse running. */
function errorReport(type: string, request: RequestView, cause: string | undefined): string | undefined {
  const about = `request ${request.id} (${request.targetLabel}, ${request.flow}, for ${request.requester.email})`;
  if (type === 'access.grant_failed') return `:rotating_light: Granting failed for ${about}: ${request.failure ?? cause ?? 'unknown cause'}`;
  if (type === 'access.revoke_failed') return `:rotating_light: Taking access away failed for ${about}: ${cause ?? 'unknown cause'}. Gatehouse tries again in a minute; check Okta if it keeps failing.`;
  return undefined;
}

/** What the requester is told by DM, and when. */
function requesterNews(type: string, request: RequestView): string | undefined {
  const what = `${request.targetLabel} (${request.flow}) for ${formatDuration(request.durationSeconds)}`;
  const denial = [...request.decisions].reverse().find((d) => d.kind === 'deny');
  const approvers = request.decisions.filter((d) => d.kind === 'approve').map((d) => d.approverEmail);
  switch (type) {
    case 'access.approved':
      // A rule's approval is followed at once by the grant: one DM ("you have access") is enough.
      return approvers.length > 0 ? `:thumbsup: Your request for ${what} was approved by ${approvers.join(', ')}; Gatehouse is granting it now.` : undefined;
    case 'access.expiring':
      return `:hourglass_flowing_sand: Your access to ${request.targetLabel} (${request.flow}) ends ${slackTime(request.access?.expiresAt)}. Need longer? Extend asks your approvers for another ${formatDuration(request.durationSeconds)}; Revoke now ends it if you are done.`;
    case 'access.denied':
      return `:no_entry: Your request for ${what} was denied by ${denial?.approverEmail ?? 'an approver'}: ${denial?.reason ?? ''}. You can ask again with \`/access\`.`;
    case 'access.activated':
      return `:white_check_mark: You have ${request.targetLabel} (${request.flow}) until ${slackTime(request.access?.expiresAt)}. Revoke it here when you are done; Extend asks your approvers for more time.`;
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

/** A reply under every copy for the moves approvers follow in the thread ("@ada approved — 1 of 2"). */
export function threadReply(event: Envelope<Record<string, unknown>>, request: RequestView): Pick<Extract<SlackWork, { kind: 'thread' }>, 'by' | 'text'> | undefined {
  const actor = event.data['actor'] as Actor | undefined;
  if (!actor || actor.kind === 'system') return event.type === 'access.cancelled' ? { text: 'The requester cancelled this request; nothing to decide any more.' } : undefined;
  const by = actor.kind === 'person' ? actor.person : actor.onBehalfOf;
  const say = (text: string) => (by ? { by, text } : { text: `${describeActor(actor)} ${text}` });
  switch (event.type) {
    // The count the event carries, not the request's now: another approval may be in by the
    // time this is handled, and the first reply said "2 of 2" too (seen on a slow host).
    case 'access.decision.recorded':
      return say(`approved — ${String(event.data['approvals'])} of ${String(event.data['required'])}`);
    case 'access.approved':
      return say(`approved — ${(event.data['approvers'] as unknown[] | undefined)?.length ?? request.approvals.count} of ${request.approvals.required}`);
    case 'access.denied':
      return say(`denied: ${String(event.data['reason'] ?? '')}`);
    case 'access.cancelled':
      return { text: 'The requester cancelled this request; nothing to decide any more.' };
    default:
      return undefined;
  }
}

/**
 * Every copy of a request's approval message is brought up to date on each move of the
 * request (a queued refresh renders the request as it is when it runs, so the last state
 * wins on every copy, whatever was missed), decisions are replied in each copy's thread, and
 * the requester is told what matters to them. Queued once per event; Slack is called after
 * the commit, and again later if it fails for a while.
 */
@Controller()
export class KeepInStepHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    private readonly slack: SlackApp,
    private readonly runner: SlackWorkRunner,
    @Inject(FLOWS) private readonly flows: FlowsFile,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern([...STATE_CHANGES])
  async changed(@Payload() event: Envelope<{ requestId: string; cause?: string }>): Promise<void> {
    if (!this.slack.client) return;
    const { requestId } = event.data;
    const reply = await this.requester.request('access.request.get', requestId, { requestId, principal: SLACK_BOT });
    const request = reply.ok ? reply.request : undefined;
    const works: SlackWork[] = [{ kind: 'refresh' }];
    if (request) {
      const flow = request.flow;
      const thread = threadReply(event as Envelope<Record<string, unknown>>, request);
      if (thread) works.push({ kind: 'thread', flow, ...thread });
      const errorChannel = this.flows.flows.find((f) => f.name === flow)?.notifications.errorChannel;
      const report = errorChannel ? errorReport(event.type, request, event.data.cause) : undefined;
      if (errorChannel && report) works.push({ kind: 'report', channel: errorChannel, text: report });
      works.push(...(await homeRefreshes(this.requester, this.logger, this.flows.flows.find((f) => f.name === flow), { requesterEmail: request.requester.email, escalated: Boolean(request.escalatedAt) })));
      const text = requesterNews(event.type, request);
      if (text) {
        const message = event.type === 'access.activated' || event.type === 'access.expiring' ? grantedMessage(request, text) : { text };
        works.push({ kind: 'dm', flow, to: request.requester, message, purpose: 'message to the requester' });
      }
    }
    await this.uow.consumeInOneStatement(SERVICE, event, (writes) => queueSlackWork(writes, requestId, works));
    this.runner.nudge();
  }
}
