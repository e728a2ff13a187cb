import { randomUUID } from 'node:crypto';
import type { Envelope } from '@gatehouse/contracts';
import { createEnvelope, type Transaction } from '@gatehouse/messaging';
import { SERVICE } from '../config';
import { AccessRequestEntity } from '../database/access-request.entity';

export interface GrantSubject {
  id: string;
  requesterEmail: string;
  oktaGroupId: string;
  flow: string;
  target: string;
  durationSeconds: number;
}

/**
 * APPROVED → GRANTING, in the same transaction as the approval: asks provisioning-okta to
 * add the membership. The grant id ties the answer to this attempt.
 */
export async function startGrant(tx: Transaction, request: GrantSubject, cause: Envelope): Promise<string> {
  const grantId = randomUUID();
  const result = await tx.manager.update(AccessRequestEntity, { id: request.id, status: 'APPROVED' }, { status: 'GRANTING', grantId });
  if (result.affected !== 1) throw new Error(`request ${request.id} is not APPROVED; cannot start granting`);
  const granting = createEnvelope(
    'access.granting',
    request.id,
    { requestId: request.id, grantId, oktaGroupId: request.oktaGroupId, status: 'GRANTING' },
    { source: SERVICE, causedBy: cause },
  );
  await tx.publish(granting);
  await tx.publish(
    createEnvelope(
      'provisioning.grant',
      request.id,
      {
        requestId: request.id,
        grantId,
        user: { email: request.requesterEmail },
        oktaGroupId: request.oktaGroupId,
        flow: request.flow,
        target: request.target,
        durationSeconds: request.durationSeconds,
      },
      { source: SERVICE, causedBy: granting },
    ),
  );
  return grantId;
}
