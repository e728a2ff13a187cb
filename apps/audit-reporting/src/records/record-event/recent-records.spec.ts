import type { AuditRecord } from '@gatehouse/contracts';
import { RecentRecords } from './recent-records';

describe('recent records', () => {
  const record = (seq: number) => ({ sequence: String(seq), id: `r${seq}` }) as unknown as AuditRecord;

  it('serves the unbroken run right after a cursor, and nothing it does not hold', () => {
    const recent = new RecentRecords();
    recent.add([1, 2, 3, 4].map(record));
    recent.add([7, 8].map(record)); // 5 and 6 were appended by another replica
    expect(recent.after('1', 10)?.map((r) => r.seq_text)).toEqual(['2', '3', '4']);
    expect(recent.after('2', 1)?.map((r) => r.seq_text)).toEqual(['3']);
    expect(recent.after('4', 10)).toBeUndefined();
    expect(recent.after('6', 10)?.map((r) => r.seq_text)).toEqual(['7', '8']);
    expect(recent.after('8', 10)).toBeUndefined();
  });
});
