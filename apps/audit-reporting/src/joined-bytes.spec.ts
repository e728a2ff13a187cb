import { joinedBytes, ReusedBytes } from './joined-bytes';

describe('joinedBytes', () => {
  it('is the UTF-8 of the parts joined, opened and closed', () => {
    const parts = ['{"a":1}', '{"by":"Zoë → ops"}', '', '{"emoji":"🔐"}'];
    expect(joinedBytes(parts, '\n', '', '\n').toString('utf8')).toBe(`${parts.join('\n')}\n`);
    expect(joinedBytes(parts, ',', '[', ']').toString('utf8')).toBe(`[${parts.join(',')}]`);
    expect(joinedBytes(parts, '\n').equals(Buffer.from(parts.join('\n')))).toBe(true);
  });

  it('gives just the ends for no parts', () => {
    expect(joinedBytes([], ',', '[', ']').toString()).toBe('[]');
    expect(joinedBytes([], '\n')).toHaveLength(0);
  });

  it('writes a lone surrogate as U+FFFD, the same bytes Buffer.from writes', () => {
    const odd = 'a\ud800b';
    expect(joinedBytes([odd, 'c'], '\n').equals(Buffer.from(`${odd}\nc`))).toBe(true);
  });

  it('writes a page of megabytes whole', () => {
    const line = JSON.stringify({ record: 'x'.repeat(2500) });
    const parts = Array.from({ length: 2000 }, (_, i) => line.replace('x', String(i)));
    const bytes = joinedBytes(parts, '\n', '', '\n');
    expect(bytes.length).toBe(parts.reduce((sum, p) => sum + p.length + 1, 0));
    expect(bytes.toString().split('\n').slice(0, -1)).toEqual(parts);
  });
});

describe('ReusedBytes', () => {
  it('joins as joinedBytes does, into the same memory while it fits', () => {
    const reused = new ReusedBytes();
    const big = reused.join(['{"a":"x"}', '{"b":"ü"}', '{"c":3}'], '\n', '', '\n');
    expect(big.equals(joinedBytes(['{"a":"x"}', '{"b":"ü"}', '{"c":3}'], '\n', '', '\n'))).toBe(true);
    const small = reused.join(['[1]', '[2]'], ',', '[', ']');
    expect(small.toString()).toBe('[[1],[2]]');
    // The same memory: what the first join returned now starts with the second.
    expect(small.buffer).toBe(big.buffer);
    expect(big.subarray(0, small.length).equals(small)).toBe(true);
  });

  it('grows for a larger page and writes it whole', () => {
    const reused = new ReusedBytes();
    reused.join(['a'], '\n');
    const parts = Array.from({ length: 3000 }, (_, i) => `{"seq":${i},"text":"${'y'.repeat(2000)}"}`);
    expect(reused.join(parts, '\n', '', '\n').toString()).toBe(`${parts.join('\n')}\n`);
  });
});
