import type { AuditDestination } from '@gatehouse/config';
import { buildAuditRecord, GENESIS_HASH, recordJson } from '../records/record-event/audit-record';
import { accessRequested } from '../test/audited-events';
import { ChainEntry } from './chain-entry';
import { outgoing, takes } from './record-format';

describe('a record read back from the chain, on its way to a destination', () => {
  const record = buildAuditRecord(accessRequested(undefined, 'INC-7'), GENESIS_HASH, 7n, new Date('2026-11-30T09:00:00.000Z'));
  const text = recordJson(record);
  const file = (extra: Partial<AuditDestination> = {}) => ({ name: 'f', type: 'file', format: 'cloudevents', path: '/tmp/x', rotate: { maxBytes: 1, maxAgeSeconds: 1 }, ...extra }) as AuditDestination;

  it('ships its stored text as it is to a cloudevents destination', () => {
    expect(outgoing(ChainEntry.stored('7', record.type, text), 'cloudevents').line).toBe(text);
  });

  it('reshapes it for the json and ocsf formats, and gives sinks its fields', () => {
    const out = outgoing(ChainEntry.stored('7', record.type, text), 'json');
    expect(JSON.parse(out.line)).toMatchObject({ id: record.id, type: 'access.requested', sequence: '7', class_uid: 3004 });
    expect(JSON.parse(outgoing(ChainEntry.stored('7', record.type, text), 'ocsf').line)).toEqual(JSON.parse(JSON.stringify(record.data)));
    expect(out.record.id).toBe(record.id);
    expect(out.by).toBe(outgoing(ChainEntry.of(record), 'json').by);
    expect(out.failed).toBe(false);
  });

  it('is filtered by type and by flow', () => {
    const entry = ChainEntry.stored('7', record.type, text);
    expect(takes(file({ filter: { types: ['access.approved'] } }), entry)).toBe(false);
    expect(takes(file({ filter: { flows: ['production-database'] } }), entry)).toBe(true);
    expect(takes(file({ filter: { flows: ['billing'] } }), entry)).toBe(false);
  });
});
