import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditDestination } from '@gatehouse/config';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { PersistenceModule } from '@gatehouse/persistence';
import { Checkpointer } from './checkpoints/checkpointer';
import { AuditShipper } from './destinations/audit-shipper';
import { AUDIT_DESTINATIONS } from './destinations/audit-destinations.token';
import { DestinationMetrics } from './destinations/destination-metrics';
import { AUDIT_CONFIG, SCHEMA, SERVICE, type AuditConfig } from './config';
import { entities, migrations } from './database';
import { AccessReviewHandler } from './records/access-review/access-review.handler';
import { QueryRecordsHandler } from './records/query-records/query-records.handler';
import { ChainAppender } from './records/record-event/chain-appender';
import { RecentRecords } from './records/record-event/recent-records';
import { RecordEventHandler } from './records/record-event/record-event.handler';

@Module({})
export class AppModule {
  static register(config: AuditConfig, logger: Logger, destinations: readonly AuditDestination[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        PersistenceModule.forRoot({ ...config.database, schema: SCHEMA, entities, migrations, applicationName: SERVICE }),
        MessagingModule.forRoot({ service: SERVICE, brokers: config.kafka.brokers, topicPrefix: config.kafka.topicPrefix, security: config.kafka.security, outboxSchema: SCHEMA }),
      ],
      controllers: [RecordEventHandler, QueryRecordsHandler, AccessReviewHandler],
      providers: [{ provide: AUDIT_CONFIG, useValue: config }, { provide: AUDIT_DESTINATIONS, useValue: destinations }, ChainAppender, RecentRecords, Checkpointer, AuditShipper, DestinationMetrics],
    };
  }
}
