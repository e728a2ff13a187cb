import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@gatehouse/contracts';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { PersistenceModule } from '@gatehouse/persistence';
import { PROVISIONING_CONFIG, SCHEMA, SERVICE, type ServiceConfig } from './config';
import { Reconciler } from './reconciliation/reconciler';
import { entities, migrations } from './database';
import { GrantMembershipHandler } from './grants/grant-membership/grant-membership.handler';
import { RevokeMembershipHandler } from './grants/revoke-membership/revoke-membership.handler';
import { DirectoryCache } from './directory/memberships/directory-cache';
import { MembershipsHandler, OKTA_CLIENT } from './directory/memberships/memberships.handler';
import { oktaClient } from './okta/okta-client-factory';
import { IdentityResolver } from './identities/identity-resolver';

/** The only service that talks to Okta: the directory, and granting and revoking memberships. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    const okta = config.okta ? oktaClient(config.okta, logger) : null;
    if (!config.okta) logger.warn('OKTA_ORG_URL / OKTA_API_TOKEN not set: directory questions and grants will be answered with an error saying so');
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        PersistenceModule.forRoot({ ...config.database, schema: SCHEMA, entities, migrations, applicationName: SERVICE }),
        MessagingModule.forRoot({
          service: SERVICE,
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix, security: config.kafka.security,
          outboxSchema: SCHEMA,
          produces: [TOPICS.directoryQueries, TOPICS.provisioningEvents],
        }),
      ],
      controllers: [MembershipsHandler, GrantMembershipHandler, RevokeMembershipHandler],
      providers: [
        { provide: OKTA_CLIENT, useValue: okta },
        { provide: IdentityResolver, useValue: okta && config.okta ? new IdentityResolver(okta, config.okta.loginOverrides) : null },
        { provide: DirectoryCache, useValue: new DirectoryCache(config.directoryCacheTtlMs) },
        { provide: PROVISIONING_CONFIG, useValue: config },
        Reconciler,
      ],
    };
  }
}
