import { gatehouseFieldsOf, type AuditRecord } from '@gatehouse/contracts';

export const AUDIT_CSV_COLUMNS = ['sequence', 'id', 'time', 'type', 'request', 'flow', 'target', 'requester', 'actor', 'status_before', 'status_after', 'ocsf_class', 'ocsf_activity', 'outcome', 'message', 'hash'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** One record as a row a spreadsheet (and an auditor) can read. */
export function auditCsvRow(record: AuditRecord): string {
  const data = record.data as Record<string, unknown>;
  const gatehouse = (data['unmapped'] as { gatehouse?: { request?: Record<string, string | undefined> } } | undefined)?.gatehouse;
  const request = gatehouse?.request ?? {};
  const fields = gatehouseFieldsOf(record);
  return csvLine([
    record.sequence,
    record.id,
    record.time,
    record.type,
    record.subject,
    request['flow'] ?? fields.flow,
    request['target'] ?? fields.details['target'],
    request['requester'] ?? (fields.details['requester'] as { email?: string } | undefined)?.email,
    fields.by,
    request['statusBefore'],
    request['statusAfter'] ?? data['status'],
    data['class_name'],
    data['activity_name'],
    data['status'],
    data['message'],
    record.hash,
  ]);
}
