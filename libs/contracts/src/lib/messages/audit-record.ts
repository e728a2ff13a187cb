import { z } from 'zod';
import { actorSchema } from '../identity/actor';

/** The OCSF release the audit payloads follow; its JSON Schemas are in docs/ocsf/. */
export const OCSF_VERSION = '1.8.0';

/** The three OCSF classes (category 3, Identity & Access Management) an audit record can be. */
export const OCSF_CLASSES = {
  3004: { name: 'Entity Management', schema: 'entity_management' },
  3005: { name: 'User Access Management', schema: 'user_access' },
  3006: { name: 'Group Management', schema: 'group_management' },
} as const;
export type OcsfClassUid = keyof typeof OCSF_CLASSES;

const ocsfUserSchema = z
  .object({
    uid: z.string().optional(),
    name: z.string().optional(),
    email_addr: z.string().optional(),
    full_name: z.string().optional(),
    uid_alt: z.string().optional(),
    type_id: z.number().int().optional(),
    type: z.string().optional(),
  })
  .loose();

const managedEntitySchema = z.object({ uid: z.string().optional(), name: z.string().optional(), type: z.string().optional(), type_id: z.number().int().optional(), data: z.unknown().optional() }).loose();

/**
 * What Gatehouse knows that OCSF has no attribute for, kept whole in OCSF's `unmapped`: the
 * event type, the actor in Gatehouse's own model and in words, the request's status before and
 * after, and the event's data as it was published.
 */
export const gatehouseAuditFieldsSchema = z.object({
  type: z.string(),
  actor: actorSchema,
  /** The actor in words: "service ticketing on behalf of ada@example.com (api)". */
  by: z.string(),
  request: z
    .object({
      flow: z.string().optional(),
      target: z.string().optional(),
      requester: z.string().optional(),
      statusBefore: z.string().optional(),
      statusAfter: z.string().optional(),
    })
    .optional(),
  details: z.record(z.string(), z.unknown()),
});
export type GatehouseAuditFields = z.infer<typeof gatehouseAuditFieldsSchema>;

/** An OCSF 1.x event (3004, 3005 or 3006); the full class schemas are in docs/ocsf/<version>/. */
export const ocsfAuditEventSchema = z
  .object({
    class_uid: z.union([z.literal(3004), z.literal(3005), z.literal(3006)]),
    class_name: z.string(),
    category_uid: z.literal(3),
    category_name: z.string(),
    activity_id: z.number().int(),
    activity_name: z.string(),
    type_uid: z.number().int(),
    type_name: z.string(),
    time: z.number().int(),
    severity_id: z.number().int(),
    severity: z.string(),
    status_id: z.number().int(),
    status: z.string(),
    status_code: z.string().optional(),
    status_detail: z.string().optional(),
    message: z.string(),
    metadata: z.object({ version: z.string(), product: z.object({ name: z.string(), vendor_name: z.string(), version: z.string().optional() }).loose(), uid: z.string(), correlation_uid: z.string().optional(), event_code: z.string(), logged_time: z.number().int() }).loose(),
    actor: z.object({ user: ocsfUserSchema.optional(), app_name: z.string().optional(), app_uid: z.string().optional(), invoked_by: z.string().optional() }).loose(),
    entity: managedEntitySchema.optional(),
    entity_result: managedEntitySchema.optional(),
    comment: z.string().optional(),
    user: ocsfUserSchema.optional(),
    privileges: z.array(z.string()).optional(),
    group: z.object({ uid: z.string().optional(), name: z.string().optional() }).loose().optional(),
    unmapped: z.object({ gatehouse: gatehouseAuditFieldsSchema }),
  })
  .loose();
export type OcsfAuditEvent = z.infer<typeof ocsfAuditEventSchema>;

/** Records written before the payload became OCSF (Gatehouse 0.1 chains): still read and verified. */
export const legacyAuditDataSchema = z.object({
  activity: z.string(),
  actor: actorSchema,
  by: z.string(),
  status: z.string().optional(),
  details: z.record(z.string(), z.unknown()),
});

/**
 * The canonical audit record: CloudEvents 1.0 attributes (the id is the event's, so a
 * redelivery maps to the same record; `dataschema` names the OCSF class), chained by hash, with
 * an OCSF event as its data.
 */
export const auditRecordSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  type: z.string(),
  source: z.string(),
  subject: z.string(),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  dataschema: z.url().optional(),
  sequence: z.string(),
  correlationid: z.uuid(),
  recordedat: z.iso.datetime({ offset: true }),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  previoushash: z.string().regex(/^[0-9a-f]{64}$/),
  data: z.union([ocsfAuditEventSchema, legacyAuditDataSchema]),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** Gatehouse's own fields of a record, whichever payload it has. */
export function gatehouseFieldsOf(record: AuditRecord): { by: string; actor: GatehouseAuditFields['actor']; details: Record<string, unknown>; flow?: string } {
  const data = record.data;
  if ('unmapped' in data) return { by: data.unmapped.gatehouse.by, actor: data.unmapped.gatehouse.actor, details: data.unmapped.gatehouse.details, flow: data.unmapped.gatehouse.request?.flow };
  const flow = data.details['flow'];
  return { by: data.by, actor: data.actor, details: data.details, flow: typeof flow === 'string' ? flow : undefined };
}
