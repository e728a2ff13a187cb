import { z } from 'zod';
import { auditRecordSchema } from './audit-record';

export const auditQuerySchema = z.object({
  requestId: z.uuid(),
  limit: z.number().int().min(1).max(1000).default(100),
});

export const auditQueryResultSchema = z.object({
  records: z.array(auditRecordSchema),
});

export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type AuditQueryResult = z.infer<typeof auditQueryResultSchema>;
