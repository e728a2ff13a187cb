import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { KafkaRequester } from '@gatehouse/messaging';
import { clickedMessage } from '../bolt/clicked-message';
import { SlackIdentity, viaOf } from '../identity/slack-identity';
import { CANCEL_REQUEST, submittedMessage } from './request-summary';

/**
 * "Cancel request" in the requester's DM: cancelled as the clicking Slack user (approval's
 * policy lets only the requester), the DM shows where it now stands, a refusal is answered
 * ephemerally. The approvers' copies follow through the `access.cancelled` event.
 */
export function registerCancel(app: App, requester: KafkaRequester, identity: SlackIdentity): void {
  app.action<BlockAction<ButtonAction>>(CANCEL_REQUEST, async ({ ack, body, action, client, context }) => {
    await ack();
    const clicked = clickedMessage(body);
    if (!clicked || !action.value) return;
    const { channel, ts } = clicked;
    const who = await identity.of(client, body.user.id, viaOf(context));
    if (!who.ok) return void (await client.chat.postEphemeral({ channel, user: body.user.id, ...identity.say(who.message) } as never));
    const reply = await requester.request('access.request.cancel', action.value, { requestId: action.value, principal: who.principal });
    if (!reply.ok) return void (await client.chat.postEphemeral({ channel, user: body.user.id, text: reply.message }));
    const message = submittedMessage(reply.request);
    await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
  });
}
