import { RecentRecords } from './recent-records';

describe('recent records', () => {
  const row = (seq: number) => ({ sequence: String(seq), type: 'access.requested', line: `{"sequence":"${seq}"}` });

  it('serves the unbroken run right after a cursor, and nothing it does not hold', () => {
    const recent = new RecentRecords();
    recent.add([1, 2, 3, 4].map(row));
    recent.add([7, 8].map(row)); // 5 and 6 were appended by another replica
    expect(recent.after('1', 10)?.map((r) => r.sequence)).toEqual(['2', '3', '4']);
    expect(recent.after('2', 1)?.map((r) => r.line)).toEqual(['{"sequence":"3"}']);
    expect(recent.after('4', 10)).toBeUndefined();
    expect(recent.after('6', 10)?.map((r) => r.sequence)).toEqual(['7', '8']);
    expect(recent.after('8', 10)).toBeUndefined();
  });
});
