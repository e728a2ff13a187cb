import { Injectable } from '@nestjs/common';
import type { AuditRecord } from '@gatehouse/contracts';

const CAPACITY = 5_000;

/**
 * The records this process appended last, once committed, in sequence order: destinations
 * that keep up read their next batch from here instead of reading it back from PostgreSQL and
 * parsing it again. Only an unbroken run right after a cursor is served (another replica's
 * records are not here); anything else is read from the table, which stays the truth.
 */
@Injectable()
export class RecentRecords {
  private rows: { seq: bigint; seq_text: string; record: AuditRecord }[] = [];
  private readonly listeners = new Set<() => void>();

  add(records: readonly AuditRecord[]): void {
    if (records.length === 0) return;
    for (const record of records) this.rows.push({ seq: BigInt(record.sequence), seq_text: record.sequence, record });
    if (this.rows.length > CAPACITY) this.rows = this.rows.slice(this.rows.length - CAPACITY);
    for (const listener of this.listeners) listener();
  }

  /** Called after every append this process commits (the destinations wake at once, rather than at their next poll). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Up to `limit` records right after `seq`, with no gap; undefined when the next one is not here. */
  after(seq: string, limit: number): { seq_text: string; record: AuditRecord }[] | undefined {
    const want = BigInt(seq) + 1n;
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = (this.rows[mid] as { seq: bigint }).seq;
      if (at === want) {
        const out: { seq_text: string; record: AuditRecord }[] = [];
        for (let i = mid; i < this.rows.length && out.length < limit; i++) {
          const row = this.rows[i] as { seq: bigint; seq_text: string; record: AuditRecord };
          if (row.seq !== want + BigInt(out.length)) break;
          out.push({ seq_text: row.seq_text, record: row.record });
        }
        return out;
      }
      if (at < want) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
