import { BinaryCopyParser } from './copy-out';

/** PostgreSQL's binary COPY bytes for these rows (fields as text bytes, null as NULL). */
function binaryCopy(rows: (string | null)[][], { trailer = true } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(4), Buffer.from('xtra')];
  for (const row of rows) {
    parts.push(int16(row.length));
    for (const field of row) parts.push(...(field === null ? [int32(-1)] : [int32(Buffer.byteLength(field)), Buffer.from(field)]));
  }
  if (trailer) parts.push(int16(-1));
  return Buffer.concat(parts);
}
const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const text = (rows: (Buffer | null)[][]) => rows.map((row) => row.map((field) => (field === null ? null : field.toString())));

describe('reading PostgreSQL binary COPY data', () => {
  const rows = [
    ['1', 'access.requested', '{"a":"é ✓"}'],
    ['2', null, ''],
  ];

  it('reads each row\'s fields, NULL as null, past a header extension', () => {
    const parser = new BinaryCopyParser();
    parser.push(binaryCopy(rows));
    expect(text(parser.end())).toEqual(rows);
  });

  it('reads the same when the data comes in pieces that split the header, rows and fields anywhere', () => {
    const bytes = binaryCopy(rows);
    for (const size of [1, 3, 7, 16]) {
      const parser = new BinaryCopyParser();
      for (let at = 0; at < bytes.length; at += size) parser.push(bytes.subarray(at, at + size));
      expect(text(parser.end())).toEqual(rows);
    }
  });

  it('refuses data that is not binary COPY, that stops short of its end, or that goes on past it', () => {
    expect(() => new BinaryCopyParser().push(Buffer.from('1\taccess.requested\n'))).toThrow('signature is missing');
    const short = new BinaryCopyParser();
    short.push(binaryCopy(rows, { trailer: false }));
    expect(() => short.end()).toThrow('ended in the middle');
    const cut = new BinaryCopyParser();
    cut.push(binaryCopy(rows).subarray(0, 40));
    expect(() => cut.end()).toThrow('ended in the middle');
    expect(() => new BinaryCopyParser().push(Buffer.concat([binaryCopy(rows), int16(1)]))).toThrow('past its end marker');
    // A length below -1 would move the reader backwards, for ever.
    const header = binaryCopy([], { trailer: false });
    expect(() => new BinaryCopyParser().push(Buffer.concat([header, int16(1), int32(-5)]))).toThrow('a field of length -5');
    expect(() => new BinaryCopyParser().push(Buffer.concat([header, int16(-3)]))).toThrow('a row of -3 fields');
  });
});
