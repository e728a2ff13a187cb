import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@gatehouse/contracts';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { PersistenceModule } from '@gatehouse/persistence';
import { SCHEMA, SERVICE, type ApprovalConfig } from './config';
import { entities, migrations } from './database';
import { CreateRequestHandler } from './requests/create-request/create-request.handler';

@Module({})
export class AppModule {
  static register(config: ApprovalConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        PersistenceModule.forRoot({ url: config.database.url, schema: SCHEMA, entities, migrations, applicationName: SERVICE }),
        MessagingModule.forRoot({
          service: SERVICE,
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix,
          outboxSchema: SCHEMA,
          produces: [TOPICS.accessEvents],
        }),
      ],
      controllers: [CreateRequestHandler],
    };
  }
}
