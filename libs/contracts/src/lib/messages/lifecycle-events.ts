import { z } from 'zod';
import { actorSchema } from './request-commands';

/** The status moves of a request after its decision, each on the access events topic. */
export const grantingEventSchema = z.object({ requestId: z.uuid(), grantId: z.uuid(), oktaGroupId: z.string(), status: z.literal('GRANTING') });
export const activatedEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  grantedAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  status: z.literal('ACTIVE'),
});
export const grantFailedEventSchema = z.object({ requestId: z.uuid(), grantId: z.uuid(), cause: z.string(), status: z.literal('GRANT_FAILED') });
export const revokingEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  why: z.enum(['expired', 'revoked']),
  by: actorSchema.optional(),
  status: z.literal('ACTIVE'),
});
export const endedEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  revokedAt: z.iso.datetime({ offset: true }),
  status: z.enum(['EXPIRED', 'REVOKED']),
});
export const revokeFailedEventSchema = z.object({ requestId: z.uuid(), grantId: z.uuid(), cause: z.string(), status: z.literal('ACTIVE') });
export const cancelledEventSchema = z.object({ requestId: z.uuid(), by: actorSchema, status: z.literal('CANCELLED') });
export const timedOutEventSchema = z.object({ requestId: z.uuid(), afterSeconds: z.number().int(), status: z.literal('TIMED_OUT') });

/** Commands a person sends about their own (or an approver's) request. */
export const cancelRequestCommandSchema = z.object({ requestId: z.uuid(), actor: actorSchema });
export const revokeRequestCommandSchema = z.object({
  requestId: z.uuid(),
  actor: actorSchema,
  /** The API token carries the admin scope: may revoke anyone's access. */
  actorIsAdmin: z.boolean().default(false),
});
