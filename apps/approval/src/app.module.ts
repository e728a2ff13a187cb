import { Module, type DynamicModule } from '@nestjs/common';
import type { FlowsFile } from '@gatehouse/config';
import { TOPICS } from '@gatehouse/contracts';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { PersistenceModule } from '@gatehouse/persistence';
import { APPROVAL_CONFIG, POOL_SIZE, SCHEMA, SERVICE, type ApprovalConfig } from './config';
import { entities, migrations } from './database';
import { DecisionGroups } from './decisions/submit-decision/decision-groups';
import { DecisionMaker } from './decisions/submit-decision/decision-maker';
import { SubmitDecisionHandler } from './decisions/submit-decision/submit-decision.handler';
import { DirectoryClient } from './directory/directory-client';
import { FlowCatalog } from './flows/flow-catalog';
import { ListFlowsHandler } from './flows/list-flows/list-flows.handler';
import { CreateRequestHandler } from './requests/create-request/create-request.handler';
import { RequestCreator } from './requests/create-request/request-creator';
import { FollowUpRequestHandler } from './requests/follow-up-request/follow-up-request.handler';
import { GetRequestHandler } from './requests/get-request/get-request.handler';
import { ListRequestsHandler } from './requests/list-requests/list-requests.handler';
import { RequestViews } from './requests/request-views';
import { CancelRequestHandler } from './requests/cancel-request/cancel-request.handler';
import { RevokeRequestHandler } from './requests/revoke-request/revoke-request.handler';
import { ProvisioningEventsHandler } from './saga/provisioning-events.handler';
import { TimerPoller } from './timers/timer-poller';
import { AccessRequestRepository } from './lifecycle/access-request.repository';
import { Authorizer } from './policy/authorizer';
import { AuthorizeQueryHandler } from './policy/authorize-query/authorize-query.handler';
import { RequestChanger } from './requests/change-request/change-request';

@Module({})
export class AppModule {
  static register(config: ApprovalConfig, flows: FlowsFile, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        PersistenceModule.forRoot({ ...config.database, schema: SCHEMA, entities, migrations, applicationName: SERVICE, poolSize: POOL_SIZE }),
        MessagingModule.forRoot({
          service: SERVICE,
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix, security: config.kafka.security,
          outboxSchema: SCHEMA,
          produces: [TOPICS.accessEvents, TOPICS.provisioningCommands, TOPICS.directoryQueries],
          requester: true,
        }),
      ],
      controllers: [
        CreateRequestHandler,
        FollowUpRequestHandler,
        SubmitDecisionHandler,
        CancelRequestHandler,
        RevokeRequestHandler,
        ProvisioningEventsHandler,
        GetRequestHandler,
        ListRequestsHandler,
        ListFlowsHandler,
        AuthorizeQueryHandler,
      ],
      providers: [
        { provide: APPROVAL_CONFIG, useValue: config },
        { provide: FlowCatalog, useValue: new FlowCatalog(flows) },
        DirectoryClient,
        RequestViews,
        RequestCreator,
        TimerPoller,
        AccessRequestRepository,
        Authorizer,
        RequestChanger,
        DecisionMaker,
        DecisionGroups,
      ],
    };
  }
}
