import type { ChainEntry } from './chain-entry';
import { checkpointsFor } from './checkpoints-between';
import { interleave } from './interleave';
import { outgoing } from './record-format';
import type { Line } from './sinks/sink';
import type { StoredRow } from '../records/stored-row';

/** A page of the chain as the lines a `cloudevents` destination ships. */
export interface StoredLines {
  /** Records and checkpoints, in the order they are shipped. */
  lines: Line[];
  records: number;
  /** The last record's sequence (the cursor's, when only checkpoints are new). */
  reached: string;
  /** The last checkpoint shipped (the cursor's, when none is). */
  lastCheckpoint: string;
}

/**
 * The records past the cursor (`rows`: read with readStoredRows, or kept since their append), as
 * the text they are stored as, each signed checkpoint of `known` right after the record it ends
 * on (one of records already shipped goes first): what a
 * destination that ships records as they are stored is sent, with nothing built per record
 * but the row itself. (Rows, not PostgreSQL's string_agg: measured, the aggregate read a third
 * slower, and one multi-MB field costs the client more to take in than two thousand small ones.)
 */
export function storedLines(cursor: { seq: string; checkpoint: string }, rows: readonly StoredRow[], known: readonly ChainEntry[]): StoredLines | undefined {
  const reached = rows.at(-1)?.sequence ?? cursor.seq;
  const checkpoints = checkpointsFor(known, cursor.checkpoint, reached).map((entry) => ({ sequence: entry.sequence, line: outgoing(entry, 'cloudevents').line }));
  if (rows.length === 0 && checkpoints.length === 0) return undefined;
  const lines = interleave(rows, checkpoints).map((entry) => entry.line);
  return { lines, records: rows.length, reached, lastCheckpoint: checkpoints.at(-1)?.sequence ?? cursor.checkpoint };
}
