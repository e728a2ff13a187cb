
export interface DestinationState {
  name: string;
  state: 'active' | 'paused';
  deliveredSeq: number;
  lag: number;
  delivered: number;
  failed: number;
  quarantined: number;
  lastError: string | null;
  updatedAt: Date;
}

/** Each destination as it stands: how far behind the chain's head, what it delivered and failed, its state. */
export async function destinationStates(db: { query: (sql: string) => Promise<unknown> }): Promise<DestinationState[]> {
  const rows = (await db.query(`
    SELECT c.name, c.state, c.delivered_seq::bigint AS delivered_seq, (h.seq - c.delivered_seq)::bigint AS lag, c.delivered, c.failed,
           (SELECT count(*) FROM audit.destination_quarantine q WHERE q.name = c.name) AS quarantined, c.last_error, c.updated_at
      FROM audit.destination_cursors c CROSS JOIN audit.chain_head h ORDER BY c.name`)) as Record<string, unknown>[];
  return rows.map((r) => ({
    name: String(r['name']),
    state: r['state'] as 'active' | 'paused',
    deliveredSeq: Number(r['delivered_seq']),
    lag: Number(r['lag']),
    delivered: Number(r['delivered']),
    failed: Number(r['failed']),
    quarantined: Number(r['quarantined']),
    lastError: (r['last_error'] as string | null) ?? null,
    updatedAt: r['updated_at'] as Date,
  }));
}
