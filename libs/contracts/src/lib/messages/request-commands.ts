import { z } from 'zod';
import { principalSchema } from '../identity/actor';
import { problemSchema, requestStatusSchema, requestViewSchema } from './request-view';

/** Why the policy refused an action: `forbidden` (identity, scope, role) and decision rules. */
export const POLICY_REFUSAL_CODES = ['forbidden', 'not_an_approver', 'self_approval', 'duplicate', 'identity_not_linked'] as const;
export const policyRefusalSchema = z.object({ code: z.enum(POLICY_REFUSAL_CODES), message: z.string() });

/** Reply to `access.request.create`: the stored request, why the flow refuses it, or why you may not. */
export const createRequestReplySchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('created'), request: requestViewSchema }),
  z.object({ outcome: z.literal('rejected'), problems: z.array(problemSchema).min(1) }),
  z.object({ outcome: z.literal('forbidden'), message: z.string() }),
]);
export type CreateRequestReply = z.infer<typeof createRequestReplySchema>;

export const submitDecisionCommandSchema = z.object({
  requestId: z.uuid(),
  principal: principalSchema,
  kind: z.enum(['approve', 'deny']),
  reason: z.string().trim().max(2000).optional(),
});
export type SubmitDecisionCommand = z.infer<typeof submitDecisionCommandSchema>;

export const decisionRefusalCodes = ['not_found', 'already_decided', 'not_pending', 'reason_required', 'directory_unavailable', ...POLICY_REFUSAL_CODES] as const;

export const submitDecisionReplySchema = z.discriminatedUnion('accepted', [
  z.object({ accepted: z.literal(true), result: z.enum(['approved', 'denied', 'recorded']), request: requestViewSchema }),
  z.object({ accepted: z.literal(false), code: z.enum(decisionRefusalCodes), message: z.string() }),
]);
export type SubmitDecisionReply = z.infer<typeof submitDecisionReplySchema>;

/** A read the policy refused, or of a request that does not exist. */
const readRefusal = z.object({ ok: z.literal(false), code: z.enum(['not_found', 'forbidden', 'directory_unavailable']), message: z.string() });

export const getRequestQuerySchema = z.object({ requestId: z.uuid(), principal: principalSchema });
export const getRequestReplySchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), request: requestViewSchema }), readRefusal]);
export type GetRequestReply = z.infer<typeof getRequestReplySchema>;

export const listRequestsQuerySchema = z.object({
  principal: principalSchema,
  requesterEmail: z.email().optional(),
  status: requestStatusSchema.optional(),
  flow: z.string().optional(),
  /**
   * Only pending requests the principal may decide now, as the policy says (an approver of the
   * flow, a backup once escalated; not their own unless the flow allows it; not approved by them yet).
   */
  awaitingMyDecision: z.boolean().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export const listRequestsReplySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    requests: z.array(requestViewSchema),
    /** What the principal may see: everything, or their own and those they may approve. */
    visibility: z.enum(['all', 'own-and-approvable']),
    /** Set when some requests could not be looked at (Okta unreachable): which, and why. */
    partial: z.string().optional(),
  }),
  readRefusal,
]);
export type ListRequestsReply = z.infer<typeof listRequestsReplySchema>;

export const flowSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  targets: z.array(z.object({ id: z.string(), label: z.string(), maxDurationSeconds: z.number().int().optional() })),
  durationsSeconds: z.array(z.number().int()),
  reason: z.object({ required: z.boolean(), hint: z.string().optional() }),
  approvalsRequired: z.number().int(),
  selfApproval: z.boolean(),
});
export const listFlowsQuerySchema = z.object({ principal: principalSchema });
export const listFlowsReplySchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), flows: z.array(flowSummarySchema) }), readRefusal]);
export type FlowSummary = z.infer<typeof flowSummarySchema>;

/** Reply to cancel / revoke: the request after the change, or why it cannot be done. */
export const changeReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), request: requestViewSchema }),
  z.object({ ok: z.literal(false), code: z.enum(['not_found', 'forbidden', 'wrong_status', 'directory_unavailable']), message: z.string() }),
]);
export type ChangeReply = z.infer<typeof changeReplySchema>;

/** "Extend" or "Request again": a new request from an earlier one, by the same person. */
export const followUpRequestCommandSchema = z.object({
  requestId: z.uuid(),
  basedOn: z.uuid(),
  kind: z.enum(['extension', 'again']),
  principal: principalSchema,
  durationSeconds: z.number().int().min(60).max(60 * 60 * 24 * 30).optional(),
  reason: z.string().trim().max(2000).optional(),
});

/**
 * `access.authorize`: asks approval's policy about an action that another service carries
 * out (reading the audit trail), so one policy answers for every action.
 */
export const AUTHORIZE_ACTIONS = ['audit.read'] as const;
export const authorizeQuerySchema = z.object({ action: z.enum(AUTHORIZE_ACTIONS), principal: principalSchema, requestId: z.uuid().optional() });
export const authorizeReplySchema = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(true) }),
  z.object({ allowed: z.literal(false), code: z.enum(POLICY_REFUSAL_CODES), message: z.string() }),
]);
export type AuthorizeReply = z.infer<typeof authorizeReplySchema>;
