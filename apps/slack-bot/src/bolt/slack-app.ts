import { Inject, Injectable } from '@nestjs/common';
import { App } from '@slack/bolt';
import type { SlackDelivery } from '@gatehouse/contracts';
import { KafkaRequester } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SLACK_BOT_CONFIG, type ServiceConfig } from '../config';
import { SlackIdentity } from '../identity/slack-identity';
import { registerDecisions } from '../approvals/decide-in-slack';
import { registerAccessCommand } from '../requesting/access-command';
import { registerActiveAccess } from '../requesting/active-access';
import { registerCancel } from '../requesting/cancel-from-slack';
import { registerRequestSubmission } from '../requesting/submit-request';
import { pacedFetch } from '../slack-api/paced-fetch';
import { SlackPacer } from '../slack-api/slack-pacer';
import { boltLogger } from './bolt-logger';
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

  constructor(
    @Inject(SLACK_BOT_CONFIG) config: ServiceConfig,
    @Inject(KafkaRequester) requester: KafkaRequester,
    identity: SlackIdentity,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const token = config.slack.botToken;
    if (!token) {
      logger.warn('SLACK_BOT_TOKEN is not set: slack-bot answers every Slack delivery with a note to set it');
      return;
    }
    this.app = new App({
      token,
      receiver: this.receiver,
      // auth.test would run in the constructor; Slack's answer is not needed to start.
      tokenVerificationEnabled: false,
      logger: boltLogger(logger),
      clientOptions: {
        slackApiUrl: config.slack.apiUrl,
        fetch: pacedFetch(new SlackPacer()),
        // A 429 is waited out (Retry-After) and tried again, once or twice; longer trouble is for
        // the outgoing queue to retry, not for a listener to sit on.
        retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
      },
    });
    this.app.error(async (error) => {
      logger.error({ err: error }, 'a Slack listener failed');
    });
    registerAccessCommand(this.app, requester, identity, logger);
    registerRequestSubmission(this.app, requester, identity, logger);
    registerDecisions(this.app, requester, identity, logger);
    registerCancel(this.app, requester, identity);
    registerActiveAccess(this.app, requester, identity);
  }

  /** The Web API client, for messages not in answer to a delivery; undefined until Slack is set up. */
  get client(): App['client'] | undefined {
    return this.app?.client;
  }

  deliver(delivery: SlackDelivery): Promise<AckBody> {
    if (!this.app) return Promise.resolve({ response_type: 'ephemeral', text: NOT_SET_UP });
    return this.receiver.deliver(delivery, (error) => this.logger.error({ err: error }, 'a Slack delivery failed'));
  }
}
