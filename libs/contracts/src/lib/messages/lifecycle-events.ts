import { z } from 'zod';
import { actorSchema, principalSchema } from '../identity/actor';

/** The status moves of a request after its decision, each on the access events topic. */
export const grantingEventSchema = z.object({ requestId: z.uuid(), grantId: z.uuid(), oktaGroupId: z.string(), actor: actorSchema, status: z.literal('GRANTING') });
export const activatedEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  grantedAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  actor: actorSchema,
  status: z.literal('ACTIVE'),
});
export const grantFailedEventSchema = z.object({ requestId: z.uuid(), grantId: z.uuid(), cause: z.string(), actor: actorSchema, status: z.literal('GRANT_FAILED') });
export const revokingEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  why: z.enum(['expired', 'revoked']),
  /** Who is taking it away: a person, or `system: timer` when it expired. */
  actor: actorSchema,
  status: z.literal('ACTIVE'),
});
export const endedEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  revokedAt: z.iso.datetime({ offset: true }),
  /** Who ended it (as in `access.revoking`), or `system: reconciliation` when removed outside. */
  actor: actorSchema,
  status: z.enum(['EXPIRED', 'REVOKED']),
});
export const revokeFailedEventSchema = z.object({ requestId: z.uuid(), grantId: z.uuid(), cause: z.string(), actor: actorSchema, status: z.literal('ACTIVE') });
export const cancelledEventSchema = z.object({ requestId: z.uuid(), actor: actorSchema, status: z.literal('CANCELLED') });
export const timedOutEventSchema = z.object({ requestId: z.uuid(), afterSeconds: z.number().int(), actor: actorSchema, status: z.literal('TIMED_OUT') });

/** Commands a person (or a service for them) sends about a request; the policy decides. */
export const cancelRequestCommandSchema = z.object({ requestId: z.uuid(), principal: principalSchema });
export const revokeRequestCommandSchema = z.object({ requestId: z.uuid(), principal: principalSchema });

/** Access ends soon (the flow's `expiryWarning` before it does): the requester may extend it. */
/** Still pending after the flow's remindAfter: its approvers are reminded (once). */
export const approversRemindedEventSchema = z.object({
  requestId: z.uuid(),
  approvals: z.number().int().min(0),
  required: z.number().int().min(1),
  waitingSince: z.iso.datetime({ offset: true }),
  actor: actorSchema,
  status: z.literal('PENDING'),
});

/** Still pending after the flow's escalateAfter: its backup approvers are asked too, and may decide from now on. */
export const escalatedEventSchema = z.object({
  requestId: z.uuid(),
  backupApprovers: z.object({ users: z.array(z.email()), groups: z.array(z.string()) }),
  waitingSince: z.iso.datetime({ offset: true }),
  actor: actorSchema,
  status: z.literal('PENDING'),
});

export const expiringEventSchema = z.object({
  requestId: z.uuid(),
  expiresAt: z.iso.datetime({ offset: true }),
  actor: actorSchema,
  status: z.literal('ACTIVE'),
});
