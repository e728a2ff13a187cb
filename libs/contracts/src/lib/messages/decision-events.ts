import { z } from 'zod';
import { actorSchema } from './request-commands';

/** One approval counted towards a multi-party threshold that is not reached yet. */
export const decisionRecordedEventSchema = z.object({
  requestId: z.uuid(),
  approver: actorSchema,
  approvals: z.number().int(),
  required: z.number().int(),
  status: z.literal('PENDING'),
});

export const accessApprovedEventSchema = z.object({
  requestId: z.uuid(),
  /** Who approved; empty when a rule approved it. */
  approvers: z.array(actorSchema),
  autoApproved: z.object({ rule: z.enum(['target', 'user', 'group']), detail: z.string() }).optional(),
  requester: z.object({ email: z.email() }),
  flow: z.string(),
  target: z.string(),
  durationSeconds: z.number().int(),
  status: z.literal('APPROVED'),
});

export const accessDeniedEventSchema = z.object({
  requestId: z.uuid(),
  approver: actorSchema,
  reason: z.string(),
  requester: z.object({ email: z.email() }),
  status: z.literal('DENIED'),
});

/** A decision that was refused (not an approver, self-approval, too late…): audited too. */
export const decisionRefusedEventSchema = z.object({
  requestId: z.uuid(),
  approver: actorSchema,
  kind: z.enum(['approve', 'deny']),
  code: z.string(),
  message: z.string(),
});
