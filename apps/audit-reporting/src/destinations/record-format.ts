import type { AuditDestination } from '@gatehouse/config';
import type { AuditRecord } from '@gatehouse/contracts';

/** The record as the destination's format wants it: the whole CloudEvent, or its payload with id, type, time and subject. */
export function formatRecord(record: AuditRecord, format: AuditDestination['format']): Record<string, unknown> {
  if (format === 'cloudevents') return record as unknown as Record<string, unknown>;
  return { id: record.id, type: record.type, time: record.time, subject: record.subject, sequence: record.sequence, ...(record.data as Record<string, unknown>) };
}

/** Does the destination's filter take this record? (No filter: every record.) */
export function takes(destination: AuditDestination, record: AuditRecord): boolean {
  const filter = destination.filter;
  if (!filter) return true;
  if (filter.types && !filter.types.includes(record.type)) return false;
  if (filter.flows) {
    const flow = (record.data as { details?: { flow?: unknown } }).details?.flow;
    if (typeof flow !== 'string' || !filter.flows.includes(flow)) return false;
  }
  return true;
}
