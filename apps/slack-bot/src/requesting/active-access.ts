import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { randomUUID } from 'node:crypto';
import type { RequestView } from '@gatehouse/contracts';
import { formatDuration } from '@gatehouse/config';
import { KafkaRequester } from '@gatehouse/messaging';
import { clickedMessage } from '../bolt/clicked-message';
import { SlackIdentity, viaOf } from '../identity/slack-identity';
import { mrkdwn, plain } from './block-text';

export const REVOKE_NOW = 'gatehouse_revoke_now';
export const EXTEND = 'gatehouse_extend';

/** The requester's "you have access" DM: until when, with "Revoke now" and "Extend". */
export function grantedMessage(request: RequestView, text: string): { text: string; blocks: Record<string, unknown>[] } {
  return {
    text,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: EXTEND, value: request.id, text: plain(`Extend by ${formatDuration(request.durationSeconds)}`) },
          { type: 'button', action_id: REVOKE_NOW, value: request.id, style: 'danger', text: plain('Revoke now') },
        ],
      },
    ],
  };
}

/**
 * "Revoke now" (ends the access at once) and "Extend" (asks for the same time again, decided
 * by the same policy) from the requester's DM, as the clicking Slack user; the answer is
 * ephemeral, and the DM loses its buttons once access is ending.
 */
export function registerActiveAccess(app: App, requester: KafkaRequester, identity: SlackIdentity): void {
  app.action<BlockAction<ButtonAction>>(REVOKE_NOW, async ({ ack, body, action, client, context }) => {
    await ack();
    const clicked = clickedMessage(body);
    if (!clicked) return;
    const { channel, ts } = clicked;
    const who = await identity.of(client, body.user.id, viaOf(context));
    if (!who.ok) return void (await client.chat.postEphemeral({ channel, user: body.user.id, ...identity.say(who.message) } as never));
    const reply = await requester.request('access.request.revoke', action.value ?? '', { requestId: action.value ?? '', principal: who.principal });
    if (!reply.ok) return void (await client.chat.postEphemeral({ channel, user: body.user.id, text: reply.message }));
    const text = `Taking ${reply.request.targetLabel} (${reply.request.flow}) away now, as you asked; you'll get a message when it is done.`;
    await client.chat.update({ channel, ts, text, blocks: [{ type: 'section', text: mrkdwn(text) }] as never });
  });

  app.action<BlockAction<ButtonAction>>(EXTEND, async ({ ack, body, action, client, context }) => {
    await ack();
    const channel = clickedMessage(body)?.channel;
    if (!channel) return;
    const who = await identity.of(client, body.user.id, viaOf(context));
    if (!who.ok) return void (await client.chat.postEphemeral({ channel, user: body.user.id, ...identity.say(who.message) } as never));
    const requestId = randomUUID();
    const reply = await requester.request('access.request.follow_up', requestId, { requestId, basedOn: action.value ?? '', kind: 'extension', principal: who.principal });
    const text =
      reply.outcome === 'created'
        ? `Asked to extend ${reply.request.targetLabel} (${reply.request.flow}) by ${formatDuration(reply.request.durationSeconds)}: ${reply.request.status === 'PENDING' ? 'the approvers have been asked' : 'approved by a rule of the flow'}. Your access runs on meanwhile.`
        : reply.outcome === 'forbidden'
          ? reply.message
          : `Cannot extend: ${reply.problems.map((p) => p.message).join('; ')}`;
    await client.chat.postEphemeral({ channel, user: body.user.id, text });
  });
}
