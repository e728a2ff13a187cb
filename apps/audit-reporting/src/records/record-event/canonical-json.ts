/**
 * RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units at every
 * level, numbers and strings as ECMAScript serialises them, no whitespace; the same record
 * always hashes the same. Undefined members are left out, as JSON.stringify does.
 *
 * This runs over every record appended (see bench:audit). JSON.stringify serialises numbers
 * and strings exactly so and builds one flat string, so a value is given to it with every
 * object's keys in order — as it is, or as a copy with the keys sorted. A value holding what a
 * copy might not keep in order (an object to be copied with a key starting with a digit, as
 * JavaScript lists integer-like keys first, or `__proto__`) or what JSON.stringify would write
 * differently (a Date, a function, a class instance) is written out by hand, as before. (Sorting
 * with Array.sort and concatenating by hand made two thirds of audit-reporting's garbage while
 * recording.)
 */
export function canonicalJson(value: unknown): string {
  const ordered = inKeyOrder(value);
  return ordered === UNORDERABLE ? written(value) : JSON.stringify(ordered);
}

/** A value that JSON.stringify cannot be given in canonical order. */
const UNORDERABLE: unique symbol = Symbol('unorderable');

/**
 * `value` as JSON.stringify writes it in RFC 8785 order: itself where every object in it is a
 * plain one already listing its keys ascending (no garbage), else copies with the keys inserted
 * in order where needed; UNORDERABLE where that cannot be, or JSON.stringify would write
 * something differently (a function, a Date, a class instance: written by hand).
 */
function inKeyOrder(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return UNORDERABLE;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const ordered = item === undefined ? item : inKeyOrder(item);
      if (ordered === UNORDERABLE) return UNORDERABLE;
      if (ordered !== item && copy === undefined) copy = value.slice(0, i);
      if (copy !== undefined) copy.push(ordered);
    }
    return copy ?? value;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return UNORDERABLE;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Listed ascending already, the object can be written as it is (JavaScript's own order,
  // integer-like keys first, is what JSON.stringify follows) — unless a member must be copied.
  let copy: Record<string, unknown> | undefined;
  if (!ascending(keys)) {
    if (!insertable(keys)) return UNORDERABLE;
    sortKeys(keys);
    copy = {};
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = record[key];
    if (item === undefined) continue;
    const ordered = inKeyOrder(item);
    if (ordered === UNORDERABLE) return UNORDERABLE;
    if (ordered !== item && copy === undefined) {
      if (!insertable(keys)) return UNORDERABLE;
      copy = {};
      for (let j = 0; j < i; j++) {
        const earlier = keys[j] as string;
        if (record[earlier] !== undefined) copy[earlier] = record[earlier];
      }
    }
    if (copy !== undefined) copy[key] = ordered;
  }
  return copy ?? record;
}

function ascending(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (!((keys[i - 1] as string) < (keys[i] as string))) return false;
  return true;
}

/**
 * Whether a new object given these keys in this order lists them so: not if one is integer-like
 * (JavaScript lists those first) or `__proto__` (assigning it sets the prototype).
 */
function insertable(keys: readonly string[]): boolean {
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === '__proto__') return false;
  }
  return true;
}

/** Sorts an object's keys in place by UTF-16 code units (insertion sort: a dozen keys, and Array.sort allocates its work space on every call). */
function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
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
  let out = '{';
  let first = true;
  for (const key of sortKeys(Object.keys(record))) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}
