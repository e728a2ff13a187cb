/** A record as the table holds it: its sequence, type and the text it is stored as. */
export interface StoredRow {
  sequence: string;
  type: string;
  line: string;
}

/** Anything that runs SQL: the data source, or a transaction's manager. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** Up to `limit` records past `after`, in chain order, as they are stored (no parse). */
export async function readStoredRows(db: Queryable, after: string, limit: number): Promise<StoredRow[]> {
  return (await db.query(`SELECT seq::text AS sequence, type, record::text AS line FROM audit.records WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit])) as StoredRow[];
}
