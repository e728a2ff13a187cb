import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { SERVICE, type ServiceConfig } from './config';

/** Process, probes, metrics and Kafka connection; its use cases arrive with their issues. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        MessagingModule.forRoot({ service: SERVICE, brokers: config.kafka.brokers, topicPrefix: config.kafka.topicPrefix }),
      ],
    };
  }
}
