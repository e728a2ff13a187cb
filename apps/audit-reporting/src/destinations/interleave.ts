import type { AuditRecord } from '@gatehouse/contracts';
import type { ShippedEvent } from './sinks/sink';

/** Records in chain order, each checkpoint right after the record it ends on (or first, when it ends before them). */
export function interleave(rows: readonly { seq_text: string; record: AuditRecord }[], checkpoints: readonly ShippedEvent[]): ShippedEvent[] {
  const out: ShippedEvent[] = [];
  let next = 0;
  const flushUpTo = (seq: bigint) => {
    while (next < checkpoints.length && BigInt((checkpoints[next] as ShippedEvent).sequence) <= seq) out.push(checkpoints[next++] as ShippedEvent);
  };
  for (const row of rows) {
    flushUpTo(BigInt(row.seq_text) - 1n);
    out.push(row.record);
    flushUpTo(BigInt(row.seq_text));
  }
  flushUpTo(BigInt(Number.MAX_SAFE_INTEGER) * 1000n);
  return out;
}
