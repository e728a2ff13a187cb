/**
 * RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units at every
 * level, numbers and strings as ECMAScript serialises them, no whitespace; the same record
 * always hashes the same. Written out by hand, not through an object: JavaScript puts
 * integer-like keys ("1") first whatever order they are inserted in. Undefined members are left
 * out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  // Built as one string in a single pass: this runs over every record appended (see bench:audit).
  if (value === null || typeof value !== 'object' || value instanceof Date) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : canonicalJson(item));
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${quoted(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

/** Keys come from a few schemas: each is quoted once, not once per record. */
const QUOTED = new Map<string, string>();

function quoted(key: string): string {
  let text = QUOTED.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (QUOTED.size < 10_000) QUOTED.set(key, text);
  }
  return text;
}
