import type { EntityManager } from 'typeorm';
import { CHECKPOINT_COLUMNS, checkpointEvent, checkpointFromRow, type CheckpointRow } from '../checkpoints/checkpoint-event';
import { ChainEntry } from './chain-entry';

/** The signed checkpoints a destination has not had yet, up to the record it reaches, in order. */
export async function checkpointsBetween(manager: EntityManager, after: string, upTo: string): Promise<ChainEntry[]> {
  // size_text, not size: an output column named size would make ORDER BY sort the text ("12" < "6").
  const rows = (await manager.query(`SELECT ${CHECKPOINT_COLUMNS} FROM audit.checkpoints WHERE size > $1 AND size <= $2 ORDER BY size`, [after, upTo])) as CheckpointRow[];
  return rows.map((row) => ChainEntry.of(checkpointEvent(checkpointFromRow(row))));
}

/** Those of `known` (in order) past the checkpoint `after`, up to the record `upTo`. */
export function checkpointsFor(known: readonly ChainEntry[], after: string, upTo: string): ChainEntry[] {
  const [from, to] = [BigInt(after), BigInt(upTo)];
  return known.filter((entry) => BigInt(entry.sequence) > from && BigInt(entry.sequence) <= to);
}

/** Moves a destination's cursor past what it took (in the transaction that read it). */
export async function advanceCursor(manager: EntityManager, name: string, reached: string, lastCheckpoint: string, delivered: number): Promise<void> {
  await manager.query(`UPDATE audit.destination_cursors SET delivered_seq = $2, delivered_checkpoint = $3, delivered = delivered + $4, last_error = NULL, updated_at = now() WHERE name = $1`, [name, reached, lastCheckpoint, delivered]);
}
