import { z } from 'zod';
import { actorSchema } from '../identity/actor';
import { requesterSchema } from './requester';

export const REQUEST_STATUSES = [
  'PENDING',
  'APPROVED',
  'GRANTING',
  'ACTIVE',
  'EXPIRED',
  'REVOKED',
  'DENIED',
  'CANCELLED',
  'TIMED_OUT',
  'GRANT_FAILED',
] as const;
export const requestStatusSchema = z.enum(REQUEST_STATUSES);
export type RequestStatus = z.infer<typeof requestStatusSchema>;

export const decisionViewSchema = z.object({
  approverEmail: z.email(),
  kind: z.enum(['approve', 'deny']),
  reason: z.string().optional(),
  decidedAt: z.iso.datetime({ offset: true }),
  /** How the decision came: the channel, and the service on whose behalf it acted, if any. */
  actor: actorSchema.optional(),
});

/** A request as every reader (API, Slack, CLI) sees it. */
export const requestViewSchema = z.object({
  id: z.uuid(),
  flow: z.string(),
  target: z.string(),
  targetLabel: z.string(),
  durationSeconds: z.number().int(),
  reason: z.string(),
  requester: requesterSchema,
  /** Who asked: the requester, or a service on their behalf. */
  requestedBy: actorSchema.optional(),
  channel: z.enum(['api', 'slack', 'relay']),
  status: requestStatusSchema,
  approvals: z.object({ count: z.number().int(), required: z.number().int() }),
  decisions: z.array(decisionViewSchema),
  /** Set once the membership was granted; endedAt once it was taken away. */
  access: z
    .object({
      grantedAt: z.iso.datetime({ offset: true }),
      expiresAt: z.iso.datetime({ offset: true }),
      ending: z.enum(['expired', 'revoked']).optional(),
      endedAt: z.iso.datetime({ offset: true }).optional(),
    })
    .nullable(),
  /** Why granting failed, for GRANT_FAILED. */
  failure: z.string().nullable(),
  /** The request this one extends or repeats. */
  basedOn: z.object({ requestId: z.uuid(), kind: z.enum(['extension', 'again']) }).nullable(),
  /** When a pending request was escalated to its flow's backup approvers (they may decide from then on). */
  escalatedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

export type RequestView = z.infer<typeof requestViewSchema>;
export type DecisionView = z.infer<typeof decisionViewSchema>;

/** What is wrong with a request, field by field, in words a person can act on. */
export const problemSchema = z.object({
  field: z.string(),
  message: z.string(),
});
export type Problem = z.infer<typeof problemSchema>;
