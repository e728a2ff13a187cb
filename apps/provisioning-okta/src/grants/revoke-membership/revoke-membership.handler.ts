import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { systemActor, type TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { DirectoryCache } from '../../directory/memberships/directory-cache';
import { OKTA_CLIENT } from '../../directory/memberships/memberships.handler';
import { OktaClient } from '../../okta/okta-client';
import { describeFailure } from '../describe-failure';
import { lockMembership } from '../membership-lock';

/**
 * `provisioning.revoke`: ends a grant. The membership is removed from Okta only if no other
 * active grant of the same person to the same group still needs it (an approved extension,
 * say); a membership already gone counts as removed.
 */
@Controller()
export class RevokeMembershipHandler {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(OKTA_CLIENT) private readonly okta: OktaClient | null,
    private readonly cache: DirectoryCache,
  ) {}

  @EventPattern('provisioning.revoke')
  async revoke(@Payload() command: TypedEnvelope<'provisioning.revoke'>): Promise<void> {
    const { grantId, requestId, user, oktaGroupId } = command.data;
    const email = user.email.toLowerCase();
    await this.uow.consumeOnce(SERVICE, command, async (tx) => {
      await lockMembership(tx, email, oktaGroupId);
      const [grant]: { state: string; okta_user_id: string | null }[] = await tx.manager.query(
        `SELECT state, okta_user_id FROM provisioning.grants WHERE grant_id = $1 FOR UPDATE`,
        [grantId],
      );
      const revoked = (membership: 'removed' | 'kept' | 'none') =>
        tx.publish(
          createEnvelope('provisioning.revoked', requestId, { requestId, grantId, revokedAt: new Date().toISOString(), user: { email }, oktaGroupId, membership, actor: systemActor('provisioning') }, { source: SERVICE, causedBy: command }),
        );
      if (!grant || grant.state !== 'granted') {
        // Never granted (or already revoked): there is nothing of ours to take away.
        await revoked('none');
        return;
      }
      const [{ others }] = await tx.manager.query(
        `SELECT count(*)::int AS others FROM provisioning.grants WHERE user_email = $1 AND group_id = $2 AND state = 'granted' AND grant_id <> $3`,
        [email, oktaGroupId, grantId],
      );
      if (others === 0 && grant.okta_user_id) {
        if (!this.okta) {
          await tx.publish(createEnvelope('provisioning.revoke_failed', requestId, { requestId, grantId, cause: 'Okta is not configured for provisioning-okta: set OKTA_ORG_URL and OKTA_API_TOKEN' }, { source: SERVICE, causedBy: command }));
          return;
        }
        try {
          await this.okta.removeMember(oktaGroupId, grant.okta_user_id);
        } catch (error) {
          await tx.publish(
            createEnvelope('provisioning.revoke_failed', requestId, { requestId, grantId, cause: describeFailure(error, `remove ${email} from group ${oktaGroupId}`) }, { source: SERVICE, causedBy: command }),
          );
          return;
        }
      }
      await tx.manager.query(`UPDATE provisioning.grants SET state = 'revoked', revoked_at = now() WHERE grant_id = $1`, [grantId]);
      await revoked(others > 0 ? 'kept' : grant.okta_user_id ? 'removed' : 'none');
    });
    this.cache.forget(email);
  }
}
