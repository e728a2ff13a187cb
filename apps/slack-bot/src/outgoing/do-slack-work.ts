import { Inject, Injectable } from '@nestjs/common';
import type { WebClient } from '@slack/web-api';
import { systemActor, type Person, type Principal } from '@gatehouse/contracts';
import { KafkaRequester, type Transaction } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { approvalMessage, cardOf } from '../approvals/approval-message';
import { postedMessages, type PostedMessage } from '../approvals/posted-messages';
import { HomePublisher } from '../home/home-publisher';
import { HomeViewers } from '../home/home-viewers';
import { DmChannels } from '../identity/dm-channels';
import { SlackIdentity } from '../identity/slack-identity';
import { slackCall, SlackCallFailed } from '../slack-api/slack-call-failed';
import type { AskRecipient, SlackMessage, SlackWork } from './slack-work';

/** slack-bot reads requests as Gatehouse itself (the policy lets the system read). */
const SLACK_BOT: Principal = { actor: systemActor('slack-bot'), scopes: [] };

/** Approval messages posted in one transaction, at most (a flow may list many approvers). */
export const ASKS_AT_ONCE = 25;

/** What a piece of work found that others must hear about, without failing the work. */
export interface Setback {
  error: SlackCallFailed;
  /** The part of the work it concerns, when not all of it (one recipient of an ask). */
  work?: SlackWork;
}

/**
 * Work that stopped part way on a failure that may pass, after setbacks for good on the parts
 * before it: those are reported now, though the work is tried again (they will not be).
 */
export class StoppedPartWay extends Error {
  constructor(
    readonly reason: unknown,
    readonly setbacks: readonly Setback[],
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'StoppedPartWay';
  }
}

function stopped(error: unknown, setbacks: readonly Setback[]): unknown {
  return setbacks.length > 0 ? new StoppedPartWay(error, setbacks) : error;
}

/** An ask for one of its recipients: what a failure for that recipient is reported as. */
export function onlyTo(work: Extract<SlackWork, { kind: 'ask' }>, to: AskRecipient): SlackWork {
  return { kind: 'ask', flow: work.flow, card: work.card, to: [to] };
}

/**
 * Does one piece of Slack work inside the transaction that claimed it, so what it records
 * (a posted message's ts, a thread already answered) commits with its removal from the queue.
 * Failures come out as SlackCallFailed; setbacks that only affect one copy are returned.
 */
@Injectable()
export class SlackWorkDoer {
  constructor(
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    private readonly identity: SlackIdentity,
    private readonly home: HomePublisher,
    private readonly viewers: HomeViewers,
    private readonly dms: DmChannels,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async do(client: WebClient, tx: Transaction, requestId: string, work: SlackWork): Promise<Setback[]> {
    switch (work.kind) {
      case 'ask':
        return this.ask(client, tx, requestId, work);
      case 'refresh':
        return this.refresh(client, tx, requestId);
      case 'thread':
        return this.thread(client, tx, requestId, work);
      case 'dm':
        await this.dm(client, requestId, work.to, work.message, work.purpose);
        return [];
      case 'report':
        await slackCall('chat.postMessage', work.channel, 'error report', () => client.chat.postMessage({ channel: work.channel, text: work.text }));
        return [];
      case 'home':
        // Only Homes their people have opened; anyone else's is published when they first open it.
        for (const userId of await this.viewers.usersWith(work.to)) await this.home.publish(client, userId);
        return [];
    }
  }

  /**
   * Posts the approval message to each recipient from `asked` on, at most ASKS_AT_ONCE in one
   * go, counting them in `asked`. Each posts before it writes, so one that fails has written
   * nothing: a failure for a while stops here (the ones before stay done, the rest wait their
   * turn); one for good is a setback for that recipient alone, and the others are still asked.
   */
  private async ask(client: WebClient, tx: Transaction, requestId: string, work: Extract<SlackWork, { kind: 'ask' }>): Promise<Setback[]> {
    const message = approvalMessage(work.card);
    const setbacks: Setback[] = [];
    const from = work.asked ?? 0;
    const until = Math.min(work.to.length, from + ASKS_AT_ONCE);
    for (let i = from; i < until; i++) {
      const to = work.to[i] as AskRecipient;
      try {
        await this.askOne(client, tx, requestId, message, to);
      } catch (error) {
        if (!(error instanceof SlackCallFailed) || error.failure.retryable) throw stopped(error, setbacks);
        setbacks.push({ error, work: onlyTo(work, to) });
      }
      work.asked = i + 1;
    }
    return setbacks;
  }

  private async askOne(client: WebClient, tx: Transaction, requestId: string, message: SlackMessage, to: AskRecipient): Promise<void> {
    const purpose = 'approval message';
    let posted: { channel?: string; ts?: string };
    let recipient: string | null = null;
    if ('channel' in to) {
      const { channel } = to;
      posted = await slackCall('chat.postMessage', channel, purpose, () => client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never }));
    } else {
      const { approver } = to;
      const found = await slackCall('users.lookupByEmail', approver, purpose, () => this.identity.userOf(client, approver));
      // An approver without a Slack account is asked elsewhere (the channel, the API); not a
      // failure. Said when Slack first answers so, not on every request.
      if (!found.userId) {
        if (found.news) this.logger.warn({ requestId, approver }, 'approver has no Slack account with that email; not asked in Slack');
        return;
      }
      recipient = found.userId;
      posted = await this.dms.post(client, recipient, `${purpose} to approver ${approver}`, message);
    }
    if (posted.channel && posted.ts) await postedMessages.add(tx.manager, { channel: posted.channel, ts: posted.ts, requestId, kind: 'approval', recipient });
  }

  private async refresh(client: WebClient, tx: Transaction, requestId: string): Promise<Setback[]> {
    const copies = await postedMessages.of(tx.manager, requestId, 'approval');
    if (copies.length === 0) return [];
    const reply = await this.requester.request('access.request.get', requestId, { requestId, principal: SLACK_BOT });
    if (!reply.ok) return [];
    const message = approvalMessage(cardOf(reply.request));
    const setbacks: Setback[] = [];
    for (const copy of copies) {
      try {
        await slackCall('chat.update', copy.channel, 'approval message update', () => client.chat.update({ channel: copy.channel, ts: copy.ts, text: message.text, blocks: message.blocks as never }));
      } catch (error) {
        if (!(error instanceof SlackCallFailed) || error.failure.retryable) throw error;
        // The copy is gone for good (deleted, channel archived): stop keeping it in step.
        await postedMessages.remove(tx.manager, copy);
        setbacks.push({ error });
      }
    }
    return setbacks;
  }

  private async thread(client: WebClient, tx: Transaction, requestId: string, work: Extract<SlackWork, { kind: 'thread' }>): Promise<Setback[]> {
    const copies = await postedMessages.of(tx.manager, requestId, 'approval');
    const done = new Set(work.done ?? []);
    const mention = work.by ? await this.mentionOf(client, work.by) : '';
    const text = `${mention}${work.text}`;
    const setbacks: Setback[] = [];
    for (const copy of copies.filter((c) => !done.has(keyOf(c)))) {
      try {
        await slackCall('chat.postMessage', copy.channel, 'thread reply', () => client.chat.postMessage({ channel: copy.channel, thread_ts: copy.ts, text }));
      } catch (error) {
        if (!(error instanceof SlackCallFailed) || error.failure.retryable) {
          // Remember the copies already answered, so a retry does not answer them twice.
          work.done = [...done];
          throw stopped(error, setbacks);
        }
        setbacks.push({ error });
      }
      done.add(keyOf(copy));
    }
    return setbacks;
  }

  private async dm(client: WebClient, requestId: string, to: Person, message: { text: string; blocks?: Record<string, unknown>[] }, purpose: string): Promise<void> {
    const userId = to.slackUserId ?? (await slackCall('users.lookupByEmail', to.email, purpose, () => this.identity.userIdOf(client, to.email)));
    // Someone without a Slack account (asking through the API, say) is not told in Slack; not a failure.
    if (!userId) {
      this.logger.warn({ requestId, email: to.email }, `no Slack account with that email; the ${purpose} is not sent`);
      return;
    }
    await this.dms.post(client, userId, purpose, message);
  }

  /** `<@U123> ` for a person Slack knows, else their email: a reply never waits on a look-up. */
  private async mentionOf(client: WebClient, person: Person): Promise<string> {
    const userId = person.slackUserId ?? (await this.identity.userIdOf(client, person.email).catch(() => undefined));
    return userId ? `<@${userId}> ` : `${person.email} `;
  }
}

function keyOf(copy: PostedMessage): string {
  return `${copy.channel}/${copy.ts}`;
}
