/** PostgreSQL's type oid of text (pg_type). */
const TEXT_OID = 25;

/**
 * A one-dimensional PostgreSQL `text[]` in the binary wire format (array_recv: dimensions, a
 * has-nulls flag, the element type, each element's length and bytes), given to `pg` as a Buffer
 * so it is sent as a binary parameter. A group's records go to PostgreSQL this way, column by
 * column, rather than as one JSON document: PostgreSQL parsed such a document in full (and then
 * every record in it again, as json) — half of its time while recording (perf, bench:audit) —
 * where the elements of a text array are copied as they are, and each record is parsed once,
 * as it is cast to json.
 */
export function binaryTextArray(values: readonly (string | null)[]): Buffer {
  if (values.length === 0) {
    const empty = Buffer.alloc(12);
    empty.writeInt32BE(TEXT_OID, 8);
    return empty;
  }
  let size = 20;
  let hasNull = 0;
  for (const value of values) {
    if (value === null) hasNull = 1;
    size += 4 + (value === null ? 0 : Buffer.byteLength(value));
  }
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0);
  out.writeInt32BE(hasNull, 4);
  out.writeInt32BE(TEXT_OID, 8);
  out.writeInt32BE(values.length, 12);
  out.writeInt32BE(1, 16);
  let at = 20;
  for (const value of values) {
    if (value === null) {
      out.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    const length = out.write(value, at + 4);
    out.writeInt32BE(length, at);
    at += 4 + length;
  }
  return out;
}
