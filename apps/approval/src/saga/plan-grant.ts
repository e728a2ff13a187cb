import { randomUUID } from 'node:crypto';
import type { Actor, Envelope, TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope } from '@gatehouse/messaging';
import { SERVICE } from '../config';

export interface GrantSubject {
  id: string;
  requesterEmail: string;
  oktaGroupId: string;
  flow: string;
  target: string;
  durationSeconds: number;
  /** Who approved it: the grant is done on their say. */
  actor: Actor;
}

export interface GrantPlan {
  grantId: string;
  events: [TypedEnvelope<'access.granting'>, TypedEnvelope<'provisioning.grant'>];
}

/**
 * APPROVED → GRANTING: the grant id and the messages that ask provisioning-okta to add the
 * membership. The access request aggregate records both with its move to GRANTING.
 */
export function planGrant(request: GrantSubject, cause: Envelope): GrantPlan {
  const grantId = randomUUID();
  const granting = createEnvelope(
    'access.granting',
    request.id,
    { requestId: request.id, grantId, oktaGroupId: request.oktaGroupId, actor: request.actor, status: 'GRANTING' },
    { source: SERVICE, causedBy: cause },
  );
  const command = createEnvelope(
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
  );
  return { grantId, events: [granting, command] };
}
