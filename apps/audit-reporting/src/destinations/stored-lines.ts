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
 * Up to `limit` records past the cursor, as PostgreSQL joins their stored text, each signed
 * checkpoint right after the record it ends on (one of records already shipped goes first):
 * what a destination that ships records as they are stored is sent, with no object per record
 * (building those, not reading, held the drain to a fifth of the raw consume rate). The records
 * are grouped at the checkpoints, so a checkpoint can go between two groups.
 */
export async function storedLines(manager: EntityManager, cursor: { seq: string; checkpoint: string }, limit: number): Promise<StoredLines | undefined> {
  const checkpoints = (
    (await manager.query(`SELECT ${CHECKPOINT_COLUMNS} FROM audit.checkpoints WHERE size > $1 AND size <= $2::bigint + $3 ORDER BY size`, [cursor.checkpoint, cursor.seq, limit])) as CheckpointRow[]
  ).map((row) => ChainEntry.of(checkpointEvent(checkpointFromRow(row))));
  const groups = (await manager.query(
    `SELECT max(seq)::text AS last, count(*)::int AS n, string_agg(text, E'\\n' ORDER BY seq) AS text
       FROM (SELECT seq, record::text AS text FROM audit.records WHERE seq > $1 ORDER BY seq LIMIT $2) page
      GROUP BY width_bucket(seq, $3::bigint[]) ORDER BY max(seq)`,
    [cursor.seq, limit, checkpoints.map((c) => (BigInt(c.sequence) + 1n).toString())],
  )) as { last: string; n: number; text: string }[];
  const parts: string[] = [];
  let next = 0;
  const checkpointsUpTo = (seq: string) => {
    for (; next < checkpoints.length && BigInt((checkpoints[next] as ChainEntry).sequence) <= BigInt(seq); next++) parts.push(outgoing(checkpoints[next] as ChainEntry, 'cloudevents').line);
  };
  checkpointsUpTo(cursor.seq);
  let records = 0;
  for (const group of groups) {
    parts.push(group.text);
    records += group.n;
    checkpointsUpTo(group.last);
  }
  if (parts.length === 0) return undefined;
  return {
    text: parts.join('\n'),
    lines: records + next,
    records,
    reached: groups.length > 0 ? (groups[groups.length - 1] as { last: string }).last : cursor.seq,
    lastCheckpoint: next > 0 ? (checkpoints[next - 1] as ChainEntry).sequence : cursor.checkpoint,
  };
}
