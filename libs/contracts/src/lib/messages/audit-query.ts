import { z } from 'zod';
import { auditRecordSchema } from './audit-record';

/**
 * Which audit records to read: one request's, or any filtered by time (the event's), requester,
 * approver (anyone who decided), target, flow and type; in chain order, a page at a time, `after`
 * the cursor the previous page returned.
 */
export const auditQuerySchema = z.object({
  requestId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  requester: z.email().optional(),
  approver: z.email().optional(),
  target: z.string().min(1).max(200).optional(),
  flow: z.string().min(1).max(100).optional(),
  types: z.array(z.string().min(1).max(100)).min(1).max(50).optional(),
  /** The cursor of the previous page: records after it. */
  after: z.string().regex(/^\d{1,19}$/).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});

export const auditQueryResultSchema = z.object({
  records: z.array(auditRecordSchema),
  /** Present when there may be more: pass it as `cursor` for the next page. */
  nextCursor: z.string().optional(),
});

export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type AuditQueryInput = z.input<typeof auditQuerySchema>;
export type AuditQueryResult = z.infer<typeof auditQueryResultSchema>;
