import { z } from 'zod';
import { actorSchema, personSchema } from '../identity/actor';

/** One approval counted towards a multi-party threshold that is not reached yet. */
export const decisionRecordedEventSchema = z.object({
  requestId: z.uuid(),
  actor: actorSchema,
  approvals: z.number().int(),
  required: z.number().int(),
  status: z.literal('PENDING'),
});

export const accessApprovedEventSchema = z.object({
  requestId: z.uuid(),
  /** The approval that completed it, or `system: auto-approval` for a rule. */
  actor: actorSchema,
  /** Who approved; empty when a rule approved it. */
  approvers: z.array(personSchema),
  autoApproved: z.object({ rule: z.enum(['target', 'user', 'group']), detail: z.string() }).optional(),
  requester: personSchema,
  flow: z.string(),
  target: z.string(),
  durationSeconds: z.number().int(),
  status: z.literal('APPROVED'),
});

export const accessDeniedEventSchema = z.object({
  requestId: z.uuid(),
  actor: actorSchema,
  reason: z.string(),
  requester: personSchema,
  status: z.literal('DENIED'),
});

/** An action on a request that was refused (not an approver, not yours, too late…): audited too. */
export const actionRefusedEventSchema = z.object({
  requestId: z.uuid(),
  actor: actorSchema,
  action: z.string(),
  code: z.string(),
  message: z.string(),
});
