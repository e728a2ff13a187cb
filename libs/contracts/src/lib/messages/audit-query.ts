import { z } from 'zod';
import { actorSchema } from '../identity/actor';

export const auditQuerySchema = z.object({
  requestId: z.uuid(),
  limit: z.number().int().min(1).max(1000).default(100),
});

/** The canonical audit record: a CloudEvents 1.0 envelope around an OCSF-shaped payload. */
export const auditRecordSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  type: z.string(),
  source: z.string(),
  subject: z.string(),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  sequence: z.string(),
  correlationid: z.uuid(),
  recordedat: z.iso.datetime({ offset: true }),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  previoushash: z.string().regex(/^[0-9a-f]{64}$/),
  data: z.object({
    activity: z.string(),
    /** Who acted, through which channel, on whose behalf; `system` for timers and reconciliation. */
    actor: actorSchema,
    /** The same in words: "service ticketing on behalf of ada@example.com (api)". */
    by: z.string(),
    status: z.string().optional(),
    details: z.record(z.string(), z.unknown()),
  }),
});

export const auditQueryResultSchema = z.object({
  records: z.array(auditRecordSchema),
});

export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type AuditQueryResult = z.infer<typeof auditQueryResultSchema>;
