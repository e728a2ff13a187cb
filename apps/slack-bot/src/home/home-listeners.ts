import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Principal } from '@gatehouse/contracts';
import { KafkaRequester } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';
import { openDenyModal } from '../approvals/decide-in-slack';
import type { DmChannels } from '../identity/dm-channels';
import { SlackIdentity, viaOf } from '../identity/slack-identity';
import { findModal } from '../requesting/find-access';
import type { OfferedFlows } from '../requesting/offered-flows';
import { requestModal } from '../requesting/request-modal';
import type { HomePublisher } from './home-publisher';
import { HOME_ACTIONS, morePages, pagesOf } from './home-view';
import type { IdentityLinks } from '../linking/identity-links';
import { linkModal } from '../linking/link-modal';

type Client = App['client'];

/**
 * The App Home: published when the person opens it, and its buttons. Every action is taken as
 * the clicking Slack user through approval's policy, as from a message; a refusal comes by DM
 * (a Home has no place for an ephemeral), and what changes reaches the Home through the event
 * that follows (see HomeRefresh), for everyone concerned.
 */
export function registerHome(
  app: App,
  deps: { requester: KafkaRequester; identity: SlackIdentity; offered: OfferedFlows; publisher: HomePublisher; links: IdentityLinks; dms: DmChannels; linkUrl: string | undefined; logger: Logger },
): void {
  const { requester, identity, offered, publisher, links, dms, linkUrl, logger } = deps;

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publisher.publish(client, event.user, pagesOf(event.view?.private_metadata), true);
  });

  const onButton = (actionId: string, act: (args: { client: Client; userId: string; value: string; body: BlockAction; context: Record<string, unknown> }) => Promise<void>) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, context }) => {
      await ack();
      await act({ client, userId: body.user.id, value: action.value ?? '', body, context });
    });

  /** Runs an action as the clicking person; what refuses it is told by DM. */
  const asPerson = async (client: Client, userId: string, context: Record<string, unknown>, act: (principal: Principal) => Promise<string | undefined>) => {
    const who = await identity.of(client, userId, viaOf(context));
    const refusal = who.ok ? await act(who.principal) : who.message;
    if (refusal) await dms.post(client, userId, 'refusal from the App Home', identity.say(refusal));
  };

  onButton(HOME_ACTIONS.request, async ({ client, userId, body, context }) => {
    const flows = await offered.fresh(client, userId, viaOf(context));
    if (!flows.ok) return void (await dms.post(client, userId, 'why no flow is offered', { text: flows.message }));
    await client.views.open({ trigger_id: body.trigger_id, view: requestModal(flows.flows) as never });
  });

  onButton(HOME_ACTIONS.find, async ({ client, body }) => {
    await client.views.open({ trigger_id: body.trigger_id, view: findModal() as never });
  });

  onButton(HOME_ACTIONS.approve, ({ client, userId, value, context }) =>
    asPerson(client, userId, context, async (principal) => {
      const reply = await requester.request('access.decision.submit', value, { requestId: value, principal, kind: 'approve' });
      return reply.accepted ? undefined : reply.message;
    }),
  );

  onButton(HOME_ACTIONS.deny, ({ client, body, value }) => openDenyModal(client, body.trigger_id, { requestId: value }));

  onButton(HOME_ACTIONS.cancel, ({ client, userId, value, context }) =>
    asPerson(client, userId, context, async (principal) => {
      const reply = await requester.request('access.request.cancel', value, { requestId: value, principal });
      return reply.ok ? undefined : reply.message;
    }),
  );

  onButton(HOME_ACTIONS.revoke, ({ client, userId, value, context }) =>
    asPerson(client, userId, context, async (principal) => {
      const reply = await requester.request('access.request.revoke', value, { requestId: value, principal });
      return reply.ok ? undefined : reply.message;
    }),
  );

  onButton(HOME_ACTIONS.extend, ({ client, userId, value, context }) =>
    asPerson(client, userId, context, async (principal) => {
      const requestId = randomUUID();
      const reply = await requester.request('access.request.follow_up', requestId, { requestId, basedOn: value, kind: 'extension', principal });
      if (reply.outcome === 'created') return undefined;
      return reply.outcome === 'forbidden' ? reply.message : `Cannot extend: ${reply.problems.map((p) => p.message).join('; ')}`;
    }),
  );

  // Linking: a fresh one-time link, opened from a modal (a Home button's URL would outlive it).
  onButton(HOME_ACTIONS.link, async ({ client, userId, body }) => {
    if (!linkUrl) return void (await dms.post(client, userId, 'account linking not set up', { text: 'Account linking is not set up: ask your Gatehouse admin to set GATEHOUSE_PUBLIC_URL on slack-bot and OKTA_OIDC_* on the gateway.' }));
    const token = await links.issueToken(userId);
    await client.views.open({ trigger_id: body.trigger_id, view: linkModal(`${linkUrl}?t=${token}`) as never });
  });

  onButton(HOME_ACTIONS.unlink, async ({ client, userId }) => {
    if (await links.unlink(userId)) await dms.post(client, userId, 'account unlinked', { text: 'Your Slack account is no longer linked to your Okta account: Gatehouse knows you by your Slack profile again.' });
    await publisher.publish(client, userId);
  });

  // The modal's URL button opens the browser; Slack also tells us of the click, which needs only an ack.
  app.action('gatehouse_link_open', async ({ ack }) => {
    await ack();
  });

  onButton(HOME_ACTIONS.more, async ({ client, userId, value, body }) => {
    const shown = (body.view as { private_metadata?: string } | undefined)?.private_metadata;
    await publisher.publish(client, userId, morePages(pagesOf(shown), value)).catch((error: unknown) => logger.warn({ err: error }, 'could not show more of the App Home'));
  });
}
