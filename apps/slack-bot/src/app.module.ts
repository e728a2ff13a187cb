import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@gatehouse/contracts';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { SlackApp } from './bolt/slack-app';
import { SERVICE, SLACK_BOT_CONFIG, type ServiceConfig } from './config';
import { SlackDeliveryHandler } from './deliveries/slack-delivery.handler';
import { SlackIdentity } from './identity/slack-identity';

/** The Slack bot: deliveries from the gateway over Kafka, answered by a Bolt app. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        MessagingModule.forRoot({
          service: SERVICE,
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix,
          produces: [TOPICS.approvalCommands],
          requester: true,
        }),
      ],
      controllers: [SlackDeliveryHandler],
      providers: [{ provide: SLACK_BOT_CONFIG, useValue: config }, SlackIdentity, SlackApp],
    };
  }
}
