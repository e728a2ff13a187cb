import type { ChainEntry } from './chain-entry';

/** Records in chain order, each checkpoint right after the record it ends on (or first, when it ends before them). */
export function interleave(records: readonly ChainEntry[], checkpoints: readonly ChainEntry[]): ChainEntry[] {
  const out: ChainEntry[] = [];
  let next = 0;
  const flushUpTo = (seq: bigint) => {
    while (next < checkpoints.length && BigInt((checkpoints[next] as ChainEntry).sequence) <= seq) out.push(checkpoints[next++] as ChainEntry);
  };
  for (const record of records) {
    flushUpTo(BigInt(record.sequence) - 1n);
    out.push(record);
    flushUpTo(BigInt(record.sequence));
  }
  flushUpTo(BigInt(Number.MAX_SAFE_INTEGER) * 1000n);
  return out;
}
