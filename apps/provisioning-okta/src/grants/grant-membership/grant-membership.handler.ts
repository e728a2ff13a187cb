import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { systemActor, type TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope, TransientError, UnitOfWork, type ConsumeContext } from '@gatehouse/messaging';
import { PROVISIONING_CONFIG, SERVICE, type ServiceConfig } from '../../config';
import { DirectoryCache } from '../../directory/memberships/directory-cache';
import { OKTA_CLIENT } from '../../directory/memberships/memberships.handler';
import { IdentityResolver } from '../../identities/identity-resolver';
import { OktaClient, OktaError } from '../../okta/okta-client';
import { describeFailure } from '../describe-failure';
import { lockMembership } from '../membership-lock';

/** 429, a 5xx or no answer at all: Okta may well take the same call in a moment. */
export function oktaFailingForNow(error: unknown): boolean {
  return error instanceof OktaError && (error.status === 0 || error.status === 429 || error.status >= 500);
}

/**
 * `provisioning.grant`: adds the person to the target's Okta group and records the grant in
 * the ledger, answering `provisioning.granted` or `provisioning.grant_failed` with a cause.
 * The Okta call happens inside the transaction that records it: a crash in between rolls the
 * record back, and the redelivered command repeats a call Okta treats as idempotent. Okta
 * failing for now (429, 5xx, unreachable) rolls back too and is retried; only past
 * OKTA_OUTAGE_GRACE_MS, or on an answer retrying cannot change, is the grant reported failed.
 */
@Controller()
export class GrantMembershipHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(OKTA_CLIENT) private readonly okta: OktaClient | null,
    @Inject(IdentityResolver) private readonly identities: IdentityResolver | null,
    private readonly cache: DirectoryCache,
    @Inject(PROVISIONING_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @EventPattern('provisioning.grant')
  async grant(@Payload() command: TypedEnvelope<'provisioning.grant'>, @Ctx() context: ConsumeContext): Promise<void> {
    const { grantId, requestId, user, oktaGroupId } = command.data;
    const email = user.email.toLowerCase();
    await this.uow.consumeOnce(SERVICE, command, async (tx) => {
      const [done] = await tx.manager.query(`SELECT state FROM provisioning.grants WHERE grant_id = $1`, [grantId]);
      if (done) return; // the ledger shows this grant handled already
      await lockMembership(tx, email, oktaGroupId);
      let oktaUserId: string | null = null;
      let failure: string | undefined;
      if (!this.okta || !this.identities) {
        failure = 'Okta is not configured for provisioning-okta: set OKTA_ORG_URL and OKTA_API_TOKEN';
      } else {
        try {
          const found = await this.identities.resolve(email);
          if (!found.user) failure = found.cause;
          else {
            oktaUserId = found.user.id;
            await this.okta.addMember(oktaGroupId, found.user.id);
          }
        } catch (error) {
          const what = `add ${email} to group ${oktaGroupId}`;
          // Okta rate-limiting, failing or unreachable for a while is not a failed grant: the
          // command is tried again (nothing recorded), for up to OKTA_OUTAGE_GRACE_MS.
          if (oktaFailingForNow(error) && Date.now() - (context.failingSince ?? Date.now()) < this.config.oktaOutageGraceMs) throw new TransientError(describeFailure(error, what));
          failure =
            error instanceof OktaError && error.status === 404
              ? `Okta group ${oktaGroupId} does not exist (${error.message}); fix the target's oktaGroupId in the flows file`
              : describeFailure(error, what) + (oktaFailingForNow(error) ? ` (tried for ${Math.round(this.config.oktaOutageGraceMs / 1000)} s)` : '');
        }
      }
      await tx.manager.query(
        `INSERT INTO provisioning.grants (grant_id, request_id, user_email, okta_user_id, group_id, state, cause, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $6 = 'granted' THEN now() END,
                 CASE WHEN $6 = 'granted' THEN now() + make_interval(secs => $8) END)`,
        [grantId, requestId, email, oktaUserId, oktaGroupId, failure ? 'failed' : 'granted', failure ?? null, command.data.durationSeconds],
      );
      await tx.publish(
        failure
          ? createEnvelope('provisioning.grant_failed', requestId, { requestId, grantId, cause: failure }, { source: SERVICE, causedBy: command })
          : createEnvelope('provisioning.granted', requestId, { requestId, grantId, grantedAt: new Date().toISOString(), user: { email }, oktaGroupId, actor: systemActor('provisioning') }, { source: SERVICE, causedBy: command }),
      );
    });
    this.cache.forget(email);
  }
}
