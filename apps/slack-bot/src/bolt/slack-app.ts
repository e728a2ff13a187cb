import { Inject, Injectable } from '@nestjs/common';
import { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { SlackDelivery } from '@gatehouse/contracts';
import { KafkaRequester } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SLACK_BOT_CONFIG, type ServiceConfig } from '../config';
import { DmChannels } from '../identity/dm-channels';
import { SlackIdentity } from '../identity/slack-identity';
import { registerDecisions } from '../approvals/decide-in-slack';
import { HomePublisher } from '../home/home-publisher';
import { registerHome } from '../home/home-listeners';
import { IdentityLinks } from '../linking/identity-links';
import { registerAccessCommand } from '../requesting/access-command';
import { registerActiveAccess } from '../requesting/active-access';
import { registerCancel } from '../requesting/cancel-from-slack';
import { registerRequestSubmission } from '../requesting/submit-request';
import { pacedFetch } from '../slack-api/paced-fetch';
import { SlackCallFailed } from '../slack-api/slack-call-failed';
import { slackFailureOf } from '../slack-api/slack-failure';
import { SlackPacer } from '../slack-api/slack-pacer';
import { boltLogger } from './bolt-logger';
import { botAuthorization } from './bot-authorization';
import { KafkaDeliveryReceiver, type AckBody } from './kafka-receiver';

const NOT_SET_UP = "Gatehouse's Slack app is not set up yet: an admin sets SLACK_BOT_TOKEN for slack-bot (the bot token from the Slack app's OAuth & Permissions page).";

/**
 * The Bolt app. Its receiver is fed by the gateway over Kafka; without SLACK_BOT_TOKEN there
 * is no app, and every delivery is answered with what to set up.
 */
@Injectable()
export class SlackApp {
  private readonly receiver = new KafkaDeliveryReceiver();
  private readonly app?: App;
  private readonly web?: WebClient;

  constructor(
    @Inject(SLACK_BOT_CONFIG) config: ServiceConfig,
    @Inject(KafkaRequester) requester: KafkaRequester,
    identity: SlackIdentity,
    home: HomePublisher,
    links: IdentityLinks,
    dms: DmChannels,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const token = config.slack.botToken;
    if (!token) {
      logger.warn('SLACK_BOT_TOKEN is not set: slack-bot answers every Slack delivery with a note to set it');
      return;
    }
    const clientOptions = {
      slackApiUrl: config.slack.apiUrl,
      // One pacer for every call, Bolt's listeners' and slack-bot's own work alike.
      fetch: pacedFetch(new SlackPacer()),
      // A 429 is waited out (Retry-After) and tried again, once or twice; longer trouble is for
      // the outgoing queue to retry, not for a listener to sit on.
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
      logger: boltLogger(logger),
    };
    this.web = new WebClient(token, clientOptions);
    this.app = new App({
      receiver: this.receiver,
      // Asked of Slack on the first delivery, not in the constructor: Slack is not needed to start.
      authorize: botAuthorization(this.web, token),
      logger: boltLogger(logger),
      clientOptions,
    });
    this.app.error(async (error) => {
      const original = (error as { original?: unknown }).original ?? error;
      const failure = original instanceof SlackCallFailed ? original.failure : slackFailureOf(original);
      // An answer dropped under Slack's rate limit is expected in a surge: one line, no stack.
      if (failure.code === 'ratelimited') logger.warn({ error: failure.code }, "an answer to a Slack user was not sent: Slack's rate limit");
      else logger.error({ err: error }, 'a Slack listener failed');
    });
    const offered = registerAccessCommand(this.app, requester, identity, dms, logger);
    registerHome(this.app, { requester, identity, offered, publisher: home, links, dms, linkUrl: config.linkUrl, logger });
    registerRequestSubmission(this.app, requester, identity, dms, logger);
    registerDecisions(this.app, { requester, identity, dms, logger });
    registerCancel(this.app, requester, identity);
    registerActiveAccess(this.app, requester, identity);
  }

  /** The Web API client, for messages not in answer to a delivery; undefined until Slack is set up. */
  get client(): WebClient | undefined {
    return this.web;
  }

  deliver(delivery: SlackDelivery): Promise<AckBody> {
    if (!this.app) return Promise.resolve({ response_type: 'ephemeral', text: NOT_SET_UP });
    return this.receiver.deliver(delivery, (error) => this.logger.error({ err: error }, 'a Slack delivery failed'));
  }
}
