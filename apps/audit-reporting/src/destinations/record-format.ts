import type { AuditDestination } from '@gatehouse/config';
import { gatehouseFieldsOf, type AuditRecord } from '@gatehouse/contracts';

/**
 * The record as the destination's format wants it: the whole CloudEvent (`cloudevents`), the
 * OCSF event alone (`ocsf`; its metadata.uid is the record id), or the OCSF event with the
 * record's id, type, time, subject and sequence beside it (`json`).
 */
export function formatRecord(record: AuditRecord, format: AuditDestination['format']): Record<string, unknown> {
  if (format === 'cloudevents') return record as unknown as Record<string, unknown>;
  if (format === 'ocsf') return record.data as Record<string, unknown>;
  return { id: record.id, type: record.type, time: record.time, subject: record.subject, sequence: record.sequence, ...(record.data as Record<string, unknown>) };
}

/** Does the destination's filter take this record? (No filter: every record.) */
export function takes(destination: AuditDestination, record: AuditRecord): boolean {
  const filter = destination.filter;
  if (!filter) return true;
  if (filter.types && !filter.types.includes(record.type)) return false;
  if (filter.flows) {
    const flow = gatehouseFieldsOf(record).flow;
    if (flow === undefined || !filter.flows.includes(flow)) return false;
  }
  return true;
}
