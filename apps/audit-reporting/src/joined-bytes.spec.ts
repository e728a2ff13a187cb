import { joinedBytes } from './joined-bytes';

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
