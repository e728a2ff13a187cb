import { z } from 'zod';
import { actorSchema } from '../identity/actor';

/** approval → provisioning-okta: add the user to the target's Okta group. */
export const grantCommandSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  user: z.object({ email: z.email() }),
  oktaGroupId: z.string().min(1),
  flow: z.string(),
  target: z.string(),
  durationSeconds: z.number().int().positive(),
});

/** approval → provisioning-okta: take the membership away (expiry or revocation). */
export const revokeCommandSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  user: z.object({ email: z.email() }),
  oktaGroupId: z.string().min(1),
  why: z.enum(['expired', 'revoked']),
});

export const grantedEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  grantedAt: z.iso.datetime({ offset: true }),
  /** Whose membership of which group was added (audited as OCSF Group Management: Add User). */
  user: z.object({ email: z.email() }).optional(),
  oktaGroupId: z.string().optional(),
  actor: actorSchema.optional(),
});

export const provisioningFailedEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  /** What went wrong, in words a person can act on. */
  cause: z.string().min(1),
});

export const revokedEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  revokedAt: z.iso.datetime({ offset: true }),
  user: z.object({ email: z.email() }).optional(),
  oktaGroupId: z.string().optional(),
  /**
   * What happened to the Okta membership: `removed` by Gatehouse; `kept` because another active
   * grant still needs it; `none` when there was no membership of Gatehouse's to remove.
   */
  membership: z.enum(['removed', 'kept', 'none']).optional(),
  actor: actorSchema.optional(),
});

/** Reconciliation found Okta and the ledger disagreeing, and what it did about it. */
export const reconciledEventSchema = z.object({
  requestId: z.uuid(),
  grantId: z.uuid(),
  action: z.enum(['removed_overdue_membership', 'membership_removed_outside']),
  user: z.object({ email: z.email() }),
  oktaGroupId: z.string(),
  detail: z.string(),
  /** Always `system: reconciliation`; carried so every audited event names its actor. */
  actor: actorSchema,
});
