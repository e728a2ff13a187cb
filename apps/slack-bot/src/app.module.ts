import { Module, type DynamicModule } from '@nestjs/common';
import type { FlowsFile } from '@gatehouse/config';
import { TOPICS } from '@gatehouse/contracts';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { PersistenceModule } from '@gatehouse/persistence';
import { AskApproversHandler } from './approvals/ask-approvers.handler';
import { KeepInStepHandler } from './approvals/keep-in-step.handler';
import { WaitingTooLongHandler } from './approvals/waiting-too-long.handler';
import { SlackApp } from './bolt/slack-app';
import { SCHEMA, SERVICE, SLACK_BOT_CONFIG, type ServiceConfig } from './config';
import { entities, migrations } from './database';
import { FLOWS } from './flows/flows';
import { SlackDeliveries } from './deliveries/slack-deliveries';
import { SlackDeliveryHandler } from './deliveries/slack-delivery.handler';
import { HomePublisher } from './home/home-publisher';
import { HomeViewers } from './home/home-viewers';
import { IdentityLinks } from './linking/identity-links';
import { LinkHandler } from './linking/link.handler';
import { DmChannels } from './identity/dm-channels';
import { SlackIdentity } from './identity/slack-identity';
import { SlackWorkDoer } from './outgoing/do-slack-work';
import { SlackWorkRunner } from './outgoing/slack-work.runner';
import { SocketModeLink } from './socket-mode/socket-mode-link';

/** The Slack bot: deliveries from the gateway over Kafka, or over Socket Mode, answered by a Bolt app. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, flows: FlowsFile, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        PersistenceModule.forRoot({ ...config.database, schema: SCHEMA, entities, migrations, applicationName: SERVICE }),
        MessagingModule.forRoot({
          service: SERVICE,
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix, security: config.kafka.security,
          produces: [TOPICS.approvalCommands, TOPICS.directoryQueries, TOPICS.slackEvents],
          outboxSchema: SCHEMA,
          requester: true,
        }),
      ],
      controllers: [SlackDeliveryHandler, AskApproversHandler, KeepInStepHandler, WaitingTooLongHandler, LinkHandler],
      providers: [{ provide: SLACK_BOT_CONFIG, useValue: config }, { provide: FLOWS, useValue: flows }, IdentityLinks, SlackIdentity, DmChannels, HomeViewers, HomePublisher, SlackApp, SlackDeliveries, SocketModeLink, SlackWorkDoer, SlackWorkRunner],
    };
  }
}
