import { copyOutBinary, type CopySlabs } from '@gatehouse/persistence';
import type { EntityManager } from 'typeorm';
import type { StoredRow } from '../records/stored-row';

/**
 * Up to `limit` records past `after`, in chain order, as they are stored (no parse): the text as
 * bytes, never a JavaScript string, so a backlog's pages of megabytes cost the garbage collector
 * almost nothing (as strings, copying them between generations was most of a drain's CPU).
 * With `slabs`, the bytes are in slabs the reader gives back there once the rows are shipped.
 */
export async function readStoredRows(manager: EntityManager, after: string, limit: number, slabs?: CopySlabs): Promise<StoredRow[]> {
  // Inlined (COPY takes no parameters), so checked to be numbers here.
  const rows = await copyOutBinary(manager, `SELECT seq, type, record FROM audit.records WHERE seq > ${BigInt(after)} ORDER BY seq LIMIT ${Math.max(0, Math.trunc(limit))}`, slabs);
  return rows.map(([seq, type, record]) => {
    if (!seq || !type || !record) throw new Error('audit.records holds a row without its sequence, type or record');
    return { sequence: seq.readBigInt64BE(0).toString(), type: type.toString(), line: record };
  });
}
