import { z } from 'zod';
import { problemSchema, requestStatusSchema, requestViewSchema } from './request-view';

/** Reply to `access.request.create`: the stored request, or why the flow refuses it. */
export const createRequestReplySchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('created'), request: requestViewSchema }),
  z.object({ outcome: z.literal('rejected'), problems: z.array(problemSchema).min(1) }),
]);
export type CreateRequestReply = z.infer<typeof createRequestReplySchema>;

export const actorSchema = z.object({ email: z.email() });

export const submitDecisionCommandSchema = z.object({
  requestId: z.uuid(),
  approver: actorSchema,
  kind: z.enum(['approve', 'deny']),
  reason: z.string().trim().max(2000).optional(),
  channel: z.enum(['api', 'slack']),
});
export type SubmitDecisionCommand = z.infer<typeof submitDecisionCommandSchema>;

export const decisionRefusalCodes = ['not_found', 'already_decided', 'not_pending', 'not_an_approver', 'self_approval', 'duplicate', 'reason_required', 'directory_unavailable'] as const;

export const submitDecisionReplySchema = z.discriminatedUnion('accepted', [
  z.object({ accepted: z.literal(true), result: z.enum(['approved', 'denied', 'recorded']), request: requestViewSchema }),
  z.object({ accepted: z.literal(false), code: z.enum(decisionRefusalCodes), message: z.string() }),
]);
export type SubmitDecisionReply = z.infer<typeof submitDecisionReplySchema>;

export const getRequestQuerySchema = z.object({ requestId: z.uuid() });
export const getRequestReplySchema = z.object({ request: requestViewSchema.nullable() });

export const listRequestsQuerySchema = z.object({
  requesterEmail: z.email().optional(),
  status: requestStatusSchema.optional(),
  flow: z.string().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export const listRequestsReplySchema = z.object({ requests: z.array(requestViewSchema) });

export const flowSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  targets: z.array(z.object({ id: z.string(), label: z.string(), maxDurationSeconds: z.number().int().optional() })),
  durationsSeconds: z.array(z.number().int()),
  reason: z.object({ required: z.boolean(), hint: z.string().optional() }),
  approvalsRequired: z.number().int(),
  selfApproval: z.boolean(),
});
export const listFlowsReplySchema = z.object({ flows: z.array(flowSummarySchema) });
export type FlowSummary = z.infer<typeof flowSummarySchema>;

/** Reply to cancel / revoke: the request after the change, or why it cannot be done. */
export const changeReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), request: requestViewSchema }),
  z.object({ ok: z.literal(false), code: z.enum(['not_found', 'forbidden', 'wrong_status']), message: z.string() }),
]);
export type ChangeReply = z.infer<typeof changeReplySchema>;

/** "Extend" or "Request again": a new request from an earlier one, by the same person. */
export const followUpRequestCommandSchema = z.object({
  requestId: z.uuid(),
  basedOn: z.uuid(),
  kind: z.enum(['extension', 'again']),
  actor: actorSchema,
  durationSeconds: z.number().int().min(60).max(60 * 60 * 24 * 30).optional(),
  reason: z.string().trim().max(2000).optional(),
  channel: z.enum(['api', 'slack']),
});
