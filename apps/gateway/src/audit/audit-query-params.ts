import type { AuditQueryInput } from '@gatehouse/contracts';
import { z } from 'zod';

/** `type=a,b` or `type=a&type=b`. */
const typeList = z.preprocess(
  (value) => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean)),
  z.array(z.string().min(1).max(100)).min(1).max(50).optional(),
);

/** The filters every audit route takes. */
export const auditFilterParams = z.object({
  requestId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('records of events at or after this time (RFC 3339)'),
  to: z.iso.datetime({ offset: true }).optional().describe('records of events before this time (RFC 3339)'),
  requester: z.email().optional(),
  approver: z.email().optional().describe('every record of the requests this person decided'),
  target: z.string().min(1).max(200).optional(),
  flow: z.string().min(1).max(100).optional(),
  type: typeList.describe('record types, comma-separated or repeated (access.approved,access.denied)'),
});

export const auditQueryParams = auditFilterParams.extend({
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'the nextCursor of the previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export type AuditFilterParams = z.infer<typeof auditFilterParams>;

/** The audit.query of these parameters. */
export function toAuditQuery(params: AuditFilterParams, page: { after?: string; limit: number }): AuditQueryInput {
  const { type, ...rest } = params;
  return { ...rest, ...(type ? { types: type } : {}), ...(page.after ? { after: page.after } : {}), limit: page.limit };
}
