import { systemActor } from '@gatehouse/contracts';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { randomUUID } from 'node:crypto';
import { PROVISIONING_CONFIG, SERVICE, type ServiceConfig } from '../config';
import { OKTA_CLIENT } from '../directory/memberships/memberships.handler';
import { DirectoryCache } from '../directory/memberships/directory-cache';
import { lockMembership } from '../grants/membership-lock';
import type { OktaClient } from '../okta/okta-client';

interface ActiveGrant {
  grant_id: string;
  request_id: string;
  user_email: string;
  okta_user_id: string;
  group_id: string;
  overdue: boolean;
}

export interface ReconcileReport {
  removedOverdue: number;
  removedOutside: number;
}

/**
 * Compares the ledger with Okta and mends the difference, both ways, auditing each fix:
 * a membership Gatehouse granted that outlived its grant (a revocation lost somewhere) is
 * removed; a grant whose membership someone removed in Okta is marked ended, and approval
 * is told. Memberships Gatehouse did not grant are never looked at, let alone touched.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileReport>;

  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(OKTA_CLIENT) private readonly okta: OktaClient | null,
    @Inject(PROVISIONING_CONFIG) private readonly config: ServiceConfig,
    private readonly cache: DirectoryCache,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.okta || this.config.reconcileIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.run().catch((error: unknown) => this.logger.error({ err: error }, 'reconciliation failed; will try again')), this.config.reconcileIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; concurrent callers share it. */
  run(): Promise<ReconcileReport> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<ReconcileReport> {
    const okta = this.okta;
    if (!okta) return { removedOverdue: 0, removedOutside: 0 };
    const grants: ActiveGrant[] = await this.uow.run((tx) =>
      tx.manager.query(
        `SELECT grant_id, request_id, user_email, okta_user_id, group_id, expires_at < now() - make_interval(secs => $1) AS overdue
           FROM provisioning.grants WHERE state = 'granted' AND okta_user_id IS NOT NULL`,
        [this.config.reconcileGraceSeconds],
      ),
    );
    const report: ReconcileReport = { removedOverdue: 0, removedOutside: 0 };
    for (const groupId of new Set(grants.map((g) => g.group_id))) {
      const members = new Set(await okta.memberIdsOf(groupId));
      for (const grant of grants.filter((g) => g.group_id === groupId)) {
        if (!members.has(grant.okta_user_id)) {
          if (await this.markRemovedOutside(grant)) report.removedOutside += 1;
        } else if (grant.overdue) {
          if (await this.removeOverdue(grant)) report.removedOverdue += 1;
        }
      }
    }
    if (report.removedOverdue || report.removedOutside) this.logger.warn(report, 'reconciliation mended differences between the ledger and Okta');
    return report;
  }

  private async removeOverdue(grant: ActiveGrant): Promise<boolean> {
    const okta = this.okta as OktaClient;
    const done = await this.uow.run(async (tx) => {
      await lockMembership(tx, grant.user_email, grant.group_id);
      const [still] = await tx.manager.query(`SELECT 1 FROM provisioning.grants WHERE grant_id = $1 AND state = 'granted' FOR UPDATE`, [grant.grant_id]);
      if (!still) return false;
      const [{ others }] = await tx.manager.query(
        `SELECT count(*)::int AS others FROM provisioning.grants WHERE user_email = $1 AND group_id = $2 AND state = 'granted' AND grant_id <> $3
            AND expires_at >= now() - make_interval(secs => $4)`,
        [grant.user_email, grant.group_id, grant.grant_id, this.config.reconcileGraceSeconds],
      );
      if (others === 0) await okta.removeMember(grant.group_id, grant.okta_user_id);
      await tx.manager.query(`UPDATE provisioning.grants SET state = 'revoked', revoked_at = now(), cause = 'removed by reconciliation: past its expiry' WHERE grant_id = $1`, [grant.grant_id]);
      await tx.publish(reconciledEvent(grant, 'removed_overdue_membership', others === 0 ? 'the membership outlived its grant and was removed' : 'the grant outlived its expiry; another active grant still needs the membership, so it stays'));
      await tx.publish(createEnvelope('provisioning.revoked', grant.request_id, { ...this.revokedData(grant), membership: others === 0 ? 'removed' : 'kept' }, { source: SERVICE }));
      return true;
    });
    this.cache.forget(grant.user_email);
    return done;
  }

  private revokedData(grant: ActiveGrant) {
    return { requestId: grant.request_id, grantId: grant.grant_id, revokedAt: new Date().toISOString(), user: { email: grant.user_email }, oktaGroupId: grant.group_id, actor: systemActor('reconciliation') };
  }

  private async markRemovedOutside(grant: ActiveGrant): Promise<boolean> {
    return this.uow.run(async (tx) => {
      await lockMembership(tx, grant.user_email, grant.group_id);
      const [still] = await tx.manager.query(`SELECT 1 FROM provisioning.grants WHERE grant_id = $1 AND state = 'granted' FOR UPDATE`, [grant.grant_id]);
      if (!still) return false;
      await tx.manager.query(`UPDATE provisioning.grants SET state = 'removed_outside', revoked_at = now(), cause = 'membership removed outside Gatehouse' WHERE grant_id = $1`, [grant.grant_id]);
      await tx.publish(reconciledEvent(grant, 'membership_removed_outside', 'someone removed the membership in Okta; the grant is marked ended'));
      // Approval ends the request (ACTIVE → REVOKED) as for any revocation.
      await tx.publish(createEnvelope('provisioning.revoked', grant.request_id, { ...this.revokedData(grant), membership: 'none' }, { source: SERVICE }));
      return true;
    });
  }
}

/** The audited fix: its own correlation id, as nobody asked for it. */
function reconciledEvent(grant: ActiveGrant, action: 'removed_overdue_membership' | 'membership_removed_outside', detail: string) {
  return createEnvelope(
    'provisioning.reconciled',
    grant.request_id,
    { requestId: grant.request_id, grantId: grant.grant_id, action, user: { email: grant.user_email }, oktaGroupId: grant.group_id, detail, actor: systemActor('reconciliation') },
    { source: SERVICE, correlationId: randomUUID() },
  );
}
