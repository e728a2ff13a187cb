import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { TypedEnvelope } from '@gatehouse/contracts';
import { UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SERVICE } from '../config';
import type { AccessRequest } from '../lifecycle/access-request';
import { FlowCatalog } from '../flows/flow-catalog';
import { AccessRequestRepository } from '../lifecycle/access-request.repository';

/** RETRY_REVOKE_AFTER: a failed revocation is tried again by re-arming the expiry timer. */
const RETRY_REVOKE_AFTER_SECONDS = 60;

type ProvisioningReport = TypedEnvelope<'provisioning.granted' | 'provisioning.grant_failed' | 'provisioning.revoked' | 'provisioning.revoke_failed'>;

/**
 * The saga's other half: what provisioning-okta reports. Each answer must match the current
 * grant id, so a stale or duplicated report cannot move a request twice.
 */
@Controller()
export class ProvisioningEventsHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly requests: AccessRequestRepository,
    private readonly flows: FlowCatalog,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('provisioning.granted')
  async granted(@Payload() event: TypedEnvelope<'provisioning.granted'>): Promise<void> {
    await this.withRequest(event, 'GRANTING', (request) =>
      request.granted(new Date(event.data.grantedAt), event, this.flows.get(request.flow)?.notifications.expiryWarning ?? 0),
    );
  }

  @EventPattern('provisioning.grant_failed')
  async grantFailed(@Payload() event: TypedEnvelope<'provisioning.grant_failed'>): Promise<void> {
    await this.withRequest(event, 'GRANTING', (request) => request.grantFailed(event.data.cause, event));
  }

  @EventPattern('provisioning.revoked')
  async revoked(@Payload() event: TypedEnvelope<'provisioning.revoked'>): Promise<void> {
    await this.withRequest(event, 'ACTIVE', (request) => request.revoked(new Date(event.data.revokedAt), event));
  }

  @EventPattern('provisioning.revoke_failed')
  async revokeFailed(@Payload() event: TypedEnvelope<'provisioning.revoke_failed'>): Promise<void> {
    await this.withRequest(event, 'ACTIVE', (request) => request.revokeFailed(event.data.cause, new Date(Date.now() + RETRY_REVOKE_AFTER_SECONDS * 1000), event));
  }

  private async withRequest(event: ProvisioningReport, expected: 'GRANTING' | 'ACTIVE', apply: (request: AccessRequest) => void): Promise<void> {
    await this.uow.consumeOnce(SERVICE, event, async (tx) => {
      const request = await this.requests.lock(tx, event.data.requestId);
      if (!request?.expects(event.data.grantId, expected)) {
        this.logger.warn(
          { requestId: event.data.requestId, type: event.type, status: request?.status, grantId: event.data.grantId },
          'provisioning report does not match the request; ignored',
        );
        return;
      }
      apply(request);
      await this.requests.save(tx, request);
    });
  }
}
