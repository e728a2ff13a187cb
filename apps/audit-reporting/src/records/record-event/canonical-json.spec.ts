import { canonicalJson } from './canonical-json';

/** RFC 8785 (JSON Canonicalization Scheme), its own examples: what the hash chain is computed over. */
describe('canonicalJson is RFC 8785', () => {
  it('serialises numbers and strings as §3.2.2 does (the example of §3.2.4)', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units (the example of §3.2.3)', () => {
    const input = JSON.parse('{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}');
    // Read back in order from the text itself: a parsed object would put "1" first again.
    const keys = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });
});

/** RFC 8785 as plainly as it can be written: the reference the fast paths must match. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : reference(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
  return `{${members.join(',')}}`;
}

describe('canonicalJson matches the plain reference', () => {
  // A small deterministic generator (no dependency): keys that JavaScript orders its own way
  // (integer-like, "__proto__"), keys beyond ASCII, undefined members, awkward numbers.
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const keys = ['a', 'b', 'B', 'type', 'type_uid', 'z', '1', '10', '9', '1a', '-1', ' x', '__proto__', 'é', '€', '\ud83d\ude00', '\ufb33', 'data', ''];
  const leaves = [null, true, false, 0, -0, 1.5, 1e21, 333333333.3333333, 0.000001, -7, 'text', '"quoted"\n', 'ünïcödé', undefined];
  function generate(depth: number): unknown {
    const kind = depth > 3 ? 2 : Math.floor(random() * 3);
    if (kind === 0) return Array.from({ length: Math.floor(random() * 4) }, () => generate(depth + 1));
    if (kind === 1) {
      const text = `{${Array.from({ length: Math.floor(random() * 6) }, () => `${JSON.stringify(pick(keys))}:${JSON.stringify(generate(depth + 1)) ?? 'null'}`).join(',')}}`;
      const parsed = JSON.parse(text) as Record<string, unknown>;
      // Some members undefined, as a builder might leave them.
      if (random() < 0.3) parsed[pick(keys.filter((k) => k !== '__proto__'))] = undefined;
      return parsed;
    }
    return pick(leaves);
  }

  it('for thousands of generated values', () => {
    for (let i = 0; i < 3000; i++) {
      const value = generate(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it('for objects already in order, out of order, and holding integer-like keys', () => {
    const values = [
      { a: 1, b: { c: [1, { d: 2, e: 3 }], f: 'x' } },
      { b: 1, a: { f: 'x', c: [{ e: 3, d: 2 }] } },
      { b: 1, 10: 'ten', 9: 'nine', a: undefined },
      JSON.parse('{"z":1,"__proto__":{"y":2,"x":1}}') as unknown,
      [undefined, { b: 2, a: 1 }, null],
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(reference(value));
  });
});
