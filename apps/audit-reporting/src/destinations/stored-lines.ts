import type { EntityManager } from 'typeorm';
import { CHECKPOINT_COLUMNS, checkpointEvent, checkpointFromRow, type CheckpointRow } from '../checkpoints/checkpoint-event';
import { ChainEntry } from './chain-entry';
import { outgoing } from './record-format';

/** A page of the chain as the lines a `cloudevents` destination ships, joined ("\n" between, none after). */
export interface StoredLines {
  text: string;
  /** Lines in `text`: records and checkpoints. */
  lines: number;
  records: number;
  /** The last record's sequence (the cursor's, when only checkpoints are new). */
  reached: string;
  /** The last checkpoint shipped (the cursor's, when none is). */
  lastCheckpoint: string;
}

/**
 * Up to `limit` records past the cursor, as the text they are stored as, each signed checkpoint
 * right after the record it ends on (one of records already shipped goes first), joined: what a
 * destination that ships records as they are stored is sent, with no object per record. (Rows,
 * not PostgreSQL's string_agg: measured, the aggregate read a third slower, and one multi-MB
 * field costs the client more to take in than two thousand small ones.)
 */
export async function storedLines(manager: EntityManager, cursor: { seq: string; checkpoint: string }, limit: number): Promise<StoredLines | undefined> {
  const rows = (await manager.query(`SELECT seq::text AS seq_text, record::text AS text FROM audit.records WHERE seq > $1 ORDER BY seq LIMIT $2`, [cursor.seq, limit])) as { seq_text: string; text: string }[];
  const reached = rows.length > 0 ? (rows[rows.length - 1] as { seq_text: string }).seq_text : cursor.seq;
  const checkpoints = (
    (await manager.query(`SELECT ${CHECKPOINT_COLUMNS} FROM audit.checkpoints WHERE size > $1 AND size <= $2 ORDER BY size`, [cursor.checkpoint, reached])) as CheckpointRow[]
  ).map((row) => ChainEntry.of(checkpointEvent(checkpointFromRow(row))));
  if (rows.length === 0 && checkpoints.length === 0) return undefined;
  const lines: string[] = [];
  let next = 0;
  const checkpointsUpTo = (seq: bigint) => {
    for (; next < checkpoints.length && BigInt((checkpoints[next] as ChainEntry).sequence) <= seq; next++) lines.push(outgoing(checkpoints[next] as ChainEntry, 'cloudevents').line);
  };
  checkpointsUpTo(BigInt(cursor.seq));
  // Checkpoints are a thousand records apart by default: compared at each, not at every record.
  const nextAt = () => (next < checkpoints.length ? BigInt((checkpoints[next] as ChainEntry).sequence) : -1n);
  let at = nextAt();
  for (const row of rows) {
    if (at >= 0n && BigInt(row.seq_text) > at) {
      // A gap in the chain (verify names it): the checkpoint still goes before what follows.
      checkpointsUpTo(BigInt(row.seq_text) - 1n);
      at = nextAt();
    }
    lines.push(row.text);
    if (at >= 0n && BigInt(row.seq_text) >= at) {
      checkpointsUpTo(BigInt(row.seq_text));
      at = nextAt();
    }
  }
  checkpointsUpTo(BigInt(reached));
  return { text: lines.join('\n'), lines: lines.length, records: rows.length, reached, lastCheckpoint: next > 0 ? (checkpoints[next - 1] as ChainEntry).sequence : cursor.checkpoint };
}
