import type { Envelope } from '@gatehouse/contracts';
import { createEnvelope, type Transaction } from '@gatehouse/messaging';
import { SERVICE } from '../config';
import type { AccessRequestEntity } from '../database/access-request.entity';

/**
 * Asks provisioning-okta to take an active membership away. The request stays ACTIVE (the
 * person still has access) until provisioning confirms; `ending` records why.
 */
export async function startRevoke(
  tx: Transaction,
  request: AccessRequestEntity,
  why: 'expired' | 'revoked',
  cause: Envelope | undefined,
  by?: string,
): Promise<void> {
  if (!request.grantId) throw new Error(`request ${request.id} has no grant to revoke`);
  await tx.manager.query(`UPDATE approval.access_requests SET ending = COALESCE(ending, $2), ended_by = COALESCE(ended_by, $3), updated_at = now() WHERE id = $1`, [
    request.id,
    why,
    by ?? null,
  ]);
  // A pending expiry is moot once a revocation is under way, and vice versa.
  await tx.manager.query(`UPDATE approval.timers SET fired_at = now() WHERE request_id = $1 AND kind = 'expire' AND fired_at IS NULL`, [request.id]);
  const options = cause ? { source: SERVICE, causedBy: cause } : { source: SERVICE };
  const revoking = createEnvelope(
    'access.revoking',
    request.id,
    { requestId: request.id, grantId: request.grantId, why, ...(by ? { by: { email: by } } : {}), status: 'ACTIVE' },
    options,
  );
  await tx.publish(revoking);
  await tx.publish(
    createEnvelope(
      'provisioning.revoke',
      request.id,
      { requestId: request.id, grantId: request.grantId, user: { email: request.requesterEmail }, oktaGroupId: request.oktaGroupId, why },
      { source: SERVICE, causedBy: revoking },
    ),
  );
}
