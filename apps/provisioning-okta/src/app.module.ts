import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@gatehouse/contracts';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { SERVICE, type ServiceConfig } from './config';
import { DirectoryCache } from './directory/memberships/directory-cache';
import { MembershipsHandler, OKTA_CLIENT } from './directory/memberships/memberships.handler';
import { OktaClient } from './okta/okta-client';

/** The only service that talks to Okta. So far: the directory; grants and revocations come next. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    if (!config.okta) logger.warn('OKTA_ORG_URL / OKTA_API_TOKEN not set: directory questions will be answered with an error');
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        MessagingModule.forRoot({ service: SERVICE, brokers: config.kafka.brokers, topicPrefix: config.kafka.topicPrefix, produces: [TOPICS.directoryQueries] }),
      ],
      controllers: [MembershipsHandler],
      providers: [
        { provide: OKTA_CLIENT, useValue: config.okta ? new OktaClient(config.okta, logger.child({ component: 'okta' })) : null },
        { provide: DirectoryCache, useValue: new DirectoryCache(config.directoryCacheTtlMs) },
      ],
    };
  }
}
