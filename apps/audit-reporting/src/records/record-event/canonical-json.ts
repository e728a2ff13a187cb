/**
 * RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units at every
 * level, numbers and strings as ECMAScript serialises them, no whitespace; the same record
 * always hashes the same. Undefined members are left out, as JSON.stringify does.
 *
 * This runs over every record appended (see bench:audit). JSON.stringify serialises numbers
 * and strings exactly so and builds one flat string, so a value is given to it with every
 * object's keys in order — as it is, or as a copy with the keys sorted. Only what a copy cannot
 * order (integer-like keys, which JavaScript always lists first) or JSON.stringify would write
 * differently is written out by hand. (Sorting with Array.sort and concatenating by hand made
 * two thirds of audit-reporting's garbage while recording.)
 */
export function canonicalJson(value: unknown): string {
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  const ordered = sortedCopy(value);
  return ordered === UNORDERABLE ? written(value) : JSON.stringify(ordered);
}

/** A value that JSON.stringify cannot be given in canonical order. */
const UNORDERABLE: unique symbol = Symbol('unorderable');

/**
 * True when JSON.stringify writes `value` exactly as RFC 8785 does: every object is a plain one
 * whose own keys, in the order JavaScript lists them, are already strictly ascending; and
 * nothing inside is what JSON.stringify would drop or convert (but undefined members).
 */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return true;
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (item !== undefined && !inCanonicalOrder(item)) return false;
    return true;
  }
  if (!isPlain(value)) return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (previous !== undefined && !(previous < key)) return false;
    const item = record[key];
    if (item !== undefined && !inCanonicalOrder(item)) return false;
    previous = key;
  }
  return true;
}

/** `value` with every object's keys inserted in ascending order; UNORDERABLE if that cannot hold. */
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return UNORDERABLE;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const ordered = item === undefined ? null : sortedCopy(item);
      if (ordered === UNORDERABLE) return UNORDERABLE;
      copy[i] = ordered;
    }
    return copy;
  }
  if (!isPlain(value)) return UNORDERABLE;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (!sortKeys(keys)) return UNORDERABLE;
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    const ordered = sortedCopy(item);
    if (ordered === UNORDERABLE) return UNORDERABLE;
    copy[key] = ordered;
  }
  return copy;
}

function isPlain(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Sorts an object's keys in place (insertion sort: a dozen keys, no allocation — Array.sort
 * allocates its work space on every call). False when an object given the keys in this order
 * would not list them so: an integer-like key (JavaScript lists those first) or `__proto__`
 * (assigning it sets the prototype).
 */
function sortKeys(keys: string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === '__proto__') return false;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return true;
}

/** One level by hand (keys sorted here), each member through canonicalJson again. */
function written(value: unknown): string {
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
