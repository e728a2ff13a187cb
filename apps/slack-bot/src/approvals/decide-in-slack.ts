import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Principal, SubmitDecisionReply } from '@gatehouse/contracts';
import { KafkaRequester } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';
import { clickedMessage } from '../bolt/clicked-message';
import type { DmChannels } from '../identity/dm-channels';
import { SlackIdentity, viaOf } from '../identity/slack-identity';
import { plain } from '../requesting/block-text';
import { APPROVE, approvalMessage, cardOf, DENY } from './approval-message';

const DENY_MODAL = 'gatehouse_deny';

/** The request decided on, and the message clicked (none when clicked in the App Home). */
interface Clicked {
  requestId: string;
  channel?: string;
  ts?: string;
}

type Client = App['client'];

interface Deps {
  requester: KafkaRequester;
  identity: SlackIdentity;
  dms: DmChannels;
  logger: Logger;
}

/**
 * Approve and Deny on an approval message, by the Slack user who clicked: approval's policy
 * decides (the same as for the API). The clicker is answered ephemerally when refused (not an
 * approver, their own request, already decided: who and when), the message they clicked shows
 * the request as it now is, and every decision is a thread reply under it. Deny asks for the
 * reason in a small modal first.
 */
export function registerDecisions(app: App, deps: Deps): void {
  const { requester, identity } = deps;
  app.action<BlockAction<ButtonAction>>(APPROVE, async ({ ack, body, action, client, context }) => {
    await ack();
    const clicked = clickedOf(body, action);
    if (!clicked) return;
    const who = await identity.of(client, body.user.id, viaOf(context));
    if (!who.ok) return void (await ephemeral(client, clicked, body.user.id, identity.say(who.message)));
    const reply = await requester.request('access.decision.submit', clicked.requestId, { requestId: clicked.requestId, principal: who.principal, kind: 'approve' });
    await answer(client, clicked, body.user.id, who.principal, reply, deps);
  });

  app.action<BlockAction<ButtonAction>>(DENY, async ({ ack, body, action, client }) => {
    await ack();
    const clicked = clickedOf(body, action);
    if (!clicked) return;
    await openDenyModal(client, body.trigger_id, clicked);
  });

  app.view(DENY_MODAL, async ({ ack, body, view, client, context }) => {
    const clicked = JSON.parse(view.private_metadata) as Clicked;
    const reason = (view.state.values['reason']?.['value']?.value ?? '').trim();
    if (!reason) return ack({ response_action: 'errors', errors: { reason: 'Say why, for the requester' } });
    const who = await identity.of(client, body.user.id, viaOf(context));
    if (!who.ok) return ack({ response_action: 'errors', errors: { reason: who.message } });
    const reply = await requester.request('access.decision.submit', clicked.requestId, { requestId: clicked.requestId, principal: who.principal, kind: 'deny', reason });
    if (!reply.accepted && reply.code !== 'already_decided' && reply.code !== 'not_pending') {
      return ack({ response_action: 'errors', errors: { reason: reply.message } });
    }
    await ack();
    await answer(client, clicked, body.user.id, who.principal, reply, deps);
  });
}

/** The small modal that asks why, for a Deny from a message or from the App Home. */
export async function openDenyModal(client: Client, triggerId: string, clicked: Clicked): Promise<void> {
  await client.views.open({
    trigger_id: triggerId,
    view: {
      type: 'modal',
      callback_id: DENY_MODAL,
      private_metadata: JSON.stringify(clicked),
      title: plain('Deny access', 24),
      submit: plain('Deny'),
      close: plain('Back'),
      blocks: [{ type: 'input', block_id: 'reason', label: plain('Why? The requester will read this.'), element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 2000 } }],
    },
  });
}

function clickedOf(body: BlockAction, action: ButtonAction): Required<Clicked> | undefined {
  const message = clickedMessage(body);
  return message && action.value ? { requestId: action.value, ...message } : undefined;
}

async function answer(client: Client, clicked: Clicked, userId: string, principal: Principal, reply: SubmitDecisionReply, { requester, identity, dms, logger }: Deps): Promise<void> {
  const { channel, ts } = clicked;
  // From the App Home: no message to update (the Home follows the event); a refusal goes by DM.
  if (!channel || !ts) {
    if (!reply.accepted) await dms.post(client, userId, 'refusal of a decision from the App Home', identity.say(reply.message));
    return;
  }
  if (reply.accepted) {
    const message = approvalMessage(cardOf(reply.request));
    // The clicked copy at once; every copy (this one too) and its thread follow from the event.
    await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
    return;
  }
  await client.chat.postEphemeral({ channel, user: userId, ...identity.say(reply.message) } as never);
  if (reply.code === 'already_decided' || reply.code === 'not_pending') {
    // The message clicked was behind: show it as the request now is.
    const current = await requester.request('access.request.get', clicked.requestId, { requestId: clicked.requestId, principal }).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not read the request to refresh the message');
      return undefined;
    });
    if (current?.ok) {
      const message = approvalMessage(cardOf(current.request));
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
    }
  }
}

async function ephemeral(client: Client, clicked: Required<Clicked>, userId: string, message: { text: string; blocks?: Record<string, unknown>[] }): Promise<void> {
  await client.chat.postEphemeral({ channel: clicked.channel, user: userId, ...message } as never);
}
