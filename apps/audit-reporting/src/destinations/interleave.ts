/** Records in chain order, each checkpoint right after the record it ends on (or first, when it ends before them). */
export function interleave<R extends { sequence: string }, C extends { sequence: string }>(records: readonly R[], checkpoints: readonly C[]): (R | C)[] {
  const out: (R | C)[] = [];
  let next = 0;
  const flushUpTo = (seq: bigint) => {
    while (next < checkpoints.length && BigInt((checkpoints[next] as C).sequence) <= seq) out.push(checkpoints[next++] as C);
  };
  for (const record of records) {
    flushUpTo(BigInt(record.sequence) - 1n);
    out.push(record);
    flushUpTo(BigInt(record.sequence));
  }
  flushUpTo(BigInt(Number.MAX_SAFE_INTEGER) * 1000n);
  return out;
}
