import { randomUUID } from 'node:crypto';
import type { Envelope } from '@gatehouse/contracts';
import { buildAuditRecord, GENESIS_HASH } from '../records/record-event/audit-record';
import { ChainCheck, type StoredRecord } from './chain-check';

function chain(length: number): StoredRecord[] {
  const out: StoredRecord[] = [];
  let previous = GENESIS_HASH;
  for (let i = 1; i <= length; i++) {
    const event = { id: randomUUID(), type: 'access.requested', source: 'approval', subject: randomUUID(), time: new Date(0).toISOString(), correlationId: randomUUID(), data: { reason: `r${i}` } } as unknown as Envelope;
    const record = buildAuditRecord(event, previous, BigInt(i), new Date(0));
    out.push({ seq: String(i), hash: record.hash, previousHash: previous, record });
    previous = record.hash;
  }
  return out;
}
const headOf = (records: StoredRecord[]) => ({ seq: String(records.length), hash: records.at(-1)?.hash ?? GENESIS_HASH });
const verify = (records: StoredRecord[], head = headOf(records)) => {
  const check = new ChainCheck();
  check.add(records.slice(0, 3));
  check.add(records.slice(3));
  return check.finish(head);
};

describe('ChainCheck', () => {
  it('passes an intact chain, page by page', () => {
    expect(verify(chain(7))).toBeUndefined();
  });

  it('finds an edited record by its hash', () => {
    const records = chain(7);
    const edited = records[4] as StoredRecord;
    edited.record = { ...edited.record, data: { ...edited.record.data, details: { reason: 'nothing to see' } } };
    expect(verify(records)).toMatchObject({ kind: 'hash_mismatch', seq: '5' });
  });

  it('finds a deleted record as a gap, naming what is missing', () => {
    const records = chain(7);
    const head = headOf(records);
    records.splice(2, 1);
    expect(verify(records, head)).toMatchObject({ kind: 'gap', seq: '4', detail: 'records 3 are missing before this one' });
  });

  it('finds two records swapped as a reorder', () => {
    const records = chain(7);
    const head = headOf(records);
    const [a, b] = [records[2] as StoredRecord, records[3] as StoredRecord];
    records[2] = { ...b, seq: '3' };
    records[3] = { ...a, seq: '4' };
    expect(verify(records, head)).toMatchObject({ kind: 'reorder', seq: '3' });
  });

  it('finds the tail cut off against the chain head', () => {
    const records = chain(7);
    const head = headOf(records);
    expect(verify(records.slice(0, 5), head)).toMatchObject({ kind: 'truncated', seq: '6' });
  });
});
