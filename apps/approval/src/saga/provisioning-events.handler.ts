import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope, UnitOfWork, type Transaction } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SERVICE } from '../config';
import { AccessRequestEntity } from '../database/access-request.entity';
import { assertTransition } from '../lifecycle/transitions';

/** RETRY_REVOKE_AFTER: a failed revocation is tried again by re-arming the expiry timer. */
const RETRY_REVOKE_AFTER_SECONDS = 60;

/**
 * The saga's other half: what provisioning-okta reports. Each answer must match the current
 * grant id, so a stale or duplicated report cannot move a request twice.
 */
@Controller()
export class ProvisioningEventsHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('provisioning.granted')
  async granted(@Payload() event: TypedEnvelope<'provisioning.granted'>): Promise<void> {
    await this.withRequest(event, 'GRANTING', async (tx, request) => {
      const grantedAt = new Date(event.data.grantedAt);
      const expiresAt = new Date(grantedAt.getTime() + request.durationSeconds * 1000);
      assertTransition(request.status, 'ACTIVE');
      await tx.manager.update(AccessRequestEntity, { id: request.id }, { status: 'ACTIVE', grantedAt, expiresAt });
      await tx.manager.query(`INSERT INTO approval.timers (request_id, kind, due_at) VALUES ($1, 'expire', $2)`, [request.id, expiresAt]);
      await tx.publish(
        createEnvelope(
          'access.activated',
          request.id,
          { requestId: request.id, grantId: event.data.grantId, grantedAt: grantedAt.toISOString(), expiresAt: expiresAt.toISOString(), status: 'ACTIVE' },
          { source: SERVICE, causedBy: event },
        ),
      );
    });
  }

  @EventPattern('provisioning.grant_failed')
  async grantFailed(@Payload() event: TypedEnvelope<'provisioning.grant_failed'>): Promise<void> {
    await this.withRequest(event, 'GRANTING', async (tx, request) => {
      assertTransition(request.status, 'GRANT_FAILED');
      await tx.manager.update(AccessRequestEntity, { id: request.id }, { status: 'GRANT_FAILED', failure: event.data.cause });
      await tx.publish(
        createEnvelope(
          'access.grant_failed',
          request.id,
          { requestId: request.id, grantId: event.data.grantId, cause: event.data.cause, status: 'GRANT_FAILED' },
          { source: SERVICE, causedBy: event },
        ),
      );
    });
  }

  @EventPattern('provisioning.revoked')
  async revoked(@Payload() event: TypedEnvelope<'provisioning.revoked'>): Promise<void> {
    await this.withRequest(event, 'ACTIVE', async (tx, request) => {
      const final = request.ending === 'expired' ? 'EXPIRED' : 'REVOKED';
      assertTransition(request.status, final);
      const revokedAt = new Date(event.data.revokedAt);
      await tx.manager.update(AccessRequestEntity, { id: request.id }, { status: final, endedAt: revokedAt, ending: request.ending ?? 'revoked' });
      await tx.manager.query(`UPDATE approval.timers SET fired_at = now() WHERE request_id = $1 AND fired_at IS NULL`, [request.id]);
      await tx.publish(
        createEnvelope(
          'access.ended',
          request.id,
          { requestId: request.id, grantId: event.data.grantId, revokedAt: revokedAt.toISOString(), status: final },
          { source: SERVICE, causedBy: event },
        ),
      );
    });
  }

  @EventPattern('provisioning.revoke_failed')
  async revokeFailed(@Payload() event: TypedEnvelope<'provisioning.revoke_failed'>): Promise<void> {
    await this.withRequest(event, 'ACTIVE', async (tx, request) => {
      await tx.manager.query(
        `INSERT INTO approval.timers (request_id, kind, due_at) VALUES ($1, 'expire', now() + make_interval(secs => $2))
         ON CONFLICT DO NOTHING`,
        [request.id, RETRY_REVOKE_AFTER_SECONDS],
      );
      await tx.publish(
        createEnvelope(
          'access.revoke_failed',
          request.id,
          { requestId: request.id, grantId: event.data.grantId, cause: event.data.cause, status: 'ACTIVE' },
          { source: SERVICE, causedBy: event },
        ),
      );
    });
  }

  private async withRequest(
    event: TypedEnvelope<'provisioning.granted' | 'provisioning.grant_failed' | 'provisioning.revoked' | 'provisioning.revoke_failed'>,
    expected: 'GRANTING' | 'ACTIVE',
    apply: (tx: Transaction, request: AccessRequestEntity) => Promise<void>,
  ): Promise<void> {
    await this.uow.consumeOnce(SERVICE, event, async (tx) => {
      const request = await tx.manager.findOne(AccessRequestEntity, { where: { id: event.data.requestId }, lock: { mode: 'pessimistic_write' } });
      if (!request || request.grantId !== event.data.grantId || request.status !== expected) {
        this.logger.warn(
          { requestId: event.data.requestId, type: event.type, status: request?.status, grantId: event.data.grantId },
          'provisioning report does not match the request; ignored',
        );
        return;
      }
      await apply(tx, request);
    });
  }
}
