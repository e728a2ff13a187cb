import type { AuditDestination } from '@gatehouse/config';
import { gatehouseFieldsOf, OCSF_VERSION, type AuditRecord } from '@gatehouse/contracts';
import { CHECKPOINT_TYPE } from '../checkpoints/checkpoint-event';
import { recordJson } from '../records/record-event/audit-record';
import type { ChainEntry } from './chain-entry';
import type { Outgoing, ShippedEvent } from './sinks/sink';

/**
 * The event as the destination's format wants it: the whole CloudEvent (`cloudevents`), the
 * OCSF event alone (`ocsf`; its metadata.uid is the record id), or the OCSF event with the
 * record's id, type, time, subject and sequence beside it (`json`). A checkpoint in `ocsf` is an
 * OCSF Base Event carrying the checkpoint in `unmapped`.
 */
export function formatRecord(record: ShippedEvent, format: AuditDestination['format']): Record<string, unknown> {
  if (format === 'cloudevents') return record as unknown as Record<string, unknown>;
  if (format === 'ocsf') return record.type === CHECKPOINT_TYPE ? ocsfCheckpoint(record) : (record.data as Record<string, unknown>);
  return { id: record.id, type: record.type, time: record.time, subject: record.subject, sequence: record.sequence, ...(record.data as Record<string, unknown>) };
}

function lineOf(entry: ChainEntry, format: AuditDestination['format']): string {
  // A record's stored text is its CloudEvent.
  if (entry.text !== undefined && format === 'cloudevents') return entry.text;
  const record = entry.event;
  return format === 'cloudevents' && record.type !== CHECKPOINT_TYPE ? recordJson(record as AuditRecord) : JSON.stringify(formatRecord(record, format));
}

/** A record or checkpoint ready for a sink (its fields parsed only if the sink reads them). */
export function outgoing(entry: ChainEntry, format: AuditDestination['format']): Outgoing {
  const line = lineOf(entry, format);
  if (entry.type === CHECKPOINT_TYPE) return { record: entry.event, line, by: 'system: audit-reporting', failed: false };
  return {
    line,
    get record() {
      return entry.event;
    },
    get by() {
      return gatehouseFieldsOf(entry.event as AuditRecord).by;
    },
    get failed() {
      return (entry.event.data as { status_id?: unknown }).status_id === 2;
    },
  };
}

function ocsfCheckpoint(record: ShippedEvent): Record<string, unknown> {
  const checkpoint = record.data as { size: string; root: string };
  return {
    class_uid: 0,
    class_name: 'Base Event',
    category_uid: 0,
    category_name: 'Uncategorized',
    activity_id: 99,
    activity_name: 'Checkpoint',
    type_uid: 99,
    type_name: 'Base Event: Other',
    time: Date.parse(record.time),
    severity_id: 1,
    severity: 'Informational',
    status_id: 1,
    status: 'Success',
    message: `audit chain checkpoint: ${checkpoint.size} records, Merkle root ${checkpoint.root}, signed`,
    metadata: { version: OCSF_VERSION, product: { name: 'Gatehouse', vendor_name: 'Gatehouse' }, uid: record.id, event_code: record.type, log_name: 'gatehouse.audit' },
    unmapped: { checkpoint: record.data },
  };
}

/** Does the destination's filter take this record? (No filter: every record; checkpoints always.) */
export function takes(destination: AuditDestination, entry: ChainEntry): boolean {
  const filter = destination.filter;
  if (!filter || entry.type === CHECKPOINT_TYPE) return true;
  if (filter.types && !filter.types.includes(entry.type)) return false;
  if (filter.flows) {
    const flow = gatehouseFieldsOf(entry.event as AuditRecord).flow;
    if (flow === undefined || !filter.flows.includes(flow)) return false;
  }
  return true;
}

/** Does the destination ship every record just as it is stored (its CloudEvent, no filter)? */
export function shipsAsStored(destination: AuditDestination): boolean {
  return destination.format === 'cloudevents' && !destination.filter?.types && !destination.filter?.flows;
}
