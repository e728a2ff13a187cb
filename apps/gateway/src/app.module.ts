import { Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TOPICS } from '@gatehouse/contracts';
import { MessagingModule } from '@gatehouse/messaging';
import { ObservabilityModule, type Logger } from '@gatehouse/observability';
import { PersistenceModule } from '@gatehouse/persistence';
import { AccessReviewController } from './audit/access-review/access-review.controller';
import { AuditAccess } from './audit/audit-access';
import { ExportAuditController } from './audit/export-audit/export-audit.controller';
import { GetAuditController } from './audit/get-audit/get-audit.controller';
import { ApiTokenGuard } from './auth/api-token.guard';
import { ApiTokenStore } from './auth/api-token.store';
import { GATEWAY_CONFIG, SCHEMA, SERVICE, type GatewayConfig } from './config';
import { entities, migrations } from './database';
import { SubmitDecisionController } from './decisions/submit-decision/submit-decision.controller';
import { ListFlowsController } from './flows/list-flows/list-flows.controller';
import { AdmissionGate, UNGATED_API_ROUTES } from './http/admission/admission-gate';
import { AdmissionMetrics, AdmissionMiddleware } from './http/admission/admission.middleware';
import { AskService } from './http/ask-service';
import { DependencyUnavailableFilter } from './http/dependency-unavailable.filter';
import { LinkController } from './linking/link.controller';
import { LinkSignIns } from './linking/link-sign-ins';
import { OktaSignIn } from './linking/okta-sign-in';
import { OpenApiController } from './openapi/openapi.controller';
import { ChangeRequestController } from './requests/change-request/change-request.controller';
import { CreateRequestController } from './requests/create-request/create-request.controller';
import { FollowUpRequestController } from './requests/follow-up-request/follow-up-request.controller';
import { GetRequestController } from './requests/get-request/get-request.controller';
import { ListRequestsController } from './requests/list-requests/list-requests.controller';
import { SlackEventsController } from './slack/slack-events/slack-events.controller';
import { SlackForwarder } from './slack/slack-forwarder';
import { SlackRelayController } from './slack/slack-relay/slack-relay.controller';

@Module({})
export class AppModule implements NestModule {
  /**
   * Admission control on the API; the streamed exports (long by nature) and Slack's door are not
   * counted. When the gate is full, admissionFront (main.ts) turns requests away before this.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AdmissionMiddleware)
      .exclude(...UNGATED_API_ROUTES.map((path) => ({ path: path.slice(1), method: RequestMethod.ALL })))
      .forRoutes({ path: 'api/v1/*path', method: RequestMethod.ALL });
  }

  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logger }),
        PersistenceModule.forRoot({ ...config.database, schema: SCHEMA, entities, migrations, applicationName: SERVICE }),
        MessagingModule.forRoot({
          service: SERVICE,
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix, security: config.kafka.security,
          produces: [TOPICS.approvalCommands, TOPICS.auditQueries, TOPICS.slackInbound],
          requester: true,
        }),
      ],
      controllers: [
        CreateRequestController,
        ListRequestsController,
        GetRequestController,
        SubmitDecisionController,
        ChangeRequestController,
        FollowUpRequestController,
        ListFlowsController,
        AccessReviewController,
        ExportAuditController,
        GetAuditController,
        OpenApiController,
        SlackEventsController,
        SlackRelayController,
        LinkController,
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, { provide: APP_FILTER, useClass: DependencyUnavailableFilter }, { provide: AdmissionGate, useValue: new AdmissionGate(config.admission) }, AdmissionMetrics, ApiTokenStore, ApiTokenGuard, AskService, AuditAccess, SlackForwarder, OktaSignIn, LinkSignIns],
    };
  }
}
