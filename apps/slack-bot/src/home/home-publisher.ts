import { Inject, Injectable } from '@nestjs/common';
import type { WebClient } from '@slack/web-api';
import { KafkaRequester } from '@gatehouse/messaging';
import { SLACK_BOT_CONFIG, type ServiceConfig } from '../config';
import { SlackIdentity } from '../identity/slack-identity';
import { slackCall } from '../slack-api/slack-call-failed';
import { FIRST_PAGE, homeView, unknownPersonHome, type HomePages } from './home-view';
import { HomeViewers } from './home-viewers';

/**
 * Publishes a person's App Home from what approval says now. The lists are asked as that
 * person (their own principal, as if they had typed `/access list`), so the Home shows no more
 * than the policy lets them see.
 */
@Injectable()
export class HomePublisher {
  constructor(
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    private readonly identity: SlackIdentity,
    private readonly viewers: HomeViewers,
    @Inject(SLACK_BOT_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** `opened`: the person opened their Home just now, so it is kept in step from then on. */
  async publish(client: WebClient, userId: string, pages: HomePages = FIRST_PAGE, opened = false): Promise<void> {
    const who = await this.identity.of(client, userId);
    if (!who.ok) {
      const view = unknownPersonHome(who.message, Boolean(this.config.linkUrl));
      await slackCall('views.publish', userId, 'App Home', () => client.views.publish({ user_id: userId, view: view as never }));
      return;
    }
    const me = who.email.toLowerCase();
    if (opened) await this.viewers.opened(userId, me);
    // Each list on its own: one that approval does not answer in time is said, the other shown.
    const [mine, waiting] = (
      await Promise.allSettled([
        this.requester.request('access.request.list', me, { principal: who.principal, requesterEmail: me, limit: 100 }),
        this.requester.request('access.request.list', me, { principal: who.principal, awaitingMyDecision: true, limit: 100 }),
      ])
    ).map((settled) => (settled.status === 'fulfilled' ? settled.value : { ok: false as const, message: 'Gatehouse did not answer in time; open this tab again shortly' }));
    const identity = { email: me, linked: who.linked, linkOffered: Boolean(this.config.linkUrl) };
    // A list that could not be had is said, not shown as empty (nothing to decide is news too).
    const unshown = {
      decide: !waiting.ok ? `What waits for your decision cannot be shown just now (${waiting.message}).` : waiting.partial ? 'Requests you may approve through an Okta group are not shown: Gatehouse cannot check your groups in Okta just now.' : undefined,
      mine: !mine.ok ? `Your requests cannot be shown just now (${mine.message}).` : undefined,
    };
    const view = homeView({ mine: mine.ok ? mine.requests : [], toDecide: waiting.ok ? waiting.requests : [], identity, unshown }, pages);
    await slackCall('views.publish', userId, 'App Home', () => client.views.publish({ user_id: userId, view: view as never }));
  }
}
