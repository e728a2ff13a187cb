import { Injectable } from '@nestjs/common';
import type { StoredRow } from '../stored-row';

const CAPACITY = 5_000;

/**
 * The records this process appended last, once committed, in sequence order, as the text they
 * were hashed from and stored as: destinations that keep up read their next batch from here
 * instead of reading it back from PostgreSQL. Text, not the record objects: a backlog keeps
 * thousands here, and strings cost the garbage collector and memory far less than the objects'
 * trees (which then die young, right after the group is built). Only an unbroken run right after
 * a cursor is served (another replica's records are not here); anything else is read from the
 * table, which stays the truth.
 */
@Injectable()
export class RecentRecords {
  private rows: { seq: bigint; row: StoredRow }[] = [];
  private readonly listeners = new Set<() => void>();

  add(rows: readonly StoredRow[]): void {
    if (rows.length === 0) return;
    for (const row of rows) this.rows.push({ seq: BigInt(row.sequence), row });
    if (this.rows.length > CAPACITY) this.rows = this.rows.slice(this.rows.length - CAPACITY);
    for (const listener of this.listeners) listener();
  }

  /** Called after every append this process commits (the destinations wake at once, rather than at their next poll). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Up to `limit` records right after `seq`, with no gap; undefined when the next one is not here. */
  after(seq: string, limit: number): StoredRow[] | undefined {
    const want = BigInt(seq) + 1n;
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = (this.rows[mid] as { seq: bigint }).seq;
      if (at === want) {
        const out: StoredRow[] = [];
        for (let i = mid; i < this.rows.length && out.length < limit; i++) {
          const held = this.rows[i] as { seq: bigint; row: StoredRow };
          if (held.seq !== want + BigInt(out.length)) break;
          out.push(held.row);
        }
        return out;
      }
      if (at < want) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
