import type { EntityManager } from 'typeorm';
import { readStoredRows, type StoredRow } from './stored-rows';

/** How a page is read: readStoredRows (tests read from memory). */
export type ReadRows<Db> = (db: Db, after: string, limit: number) => Promise<StoredRow[]>;

interface Ahead {
  after: string;
  limit: number;
  rows: Promise<StoredRow[] | undefined>;
}

/** Reads ahead at once, across destinations: each holds a pooled connection while it runs. */
const MAX_READS_AHEAD = 4;

/**
 * While a destination drains a backlog, the page after the one it is sending is read at the same
 * time (PostgreSQL reads while the destination takes the page), instead of after the send and
 * the cursor's commit. Records are immutable and appended in sequence order, so rows read outside
 * the destination's transaction are the rows it would read itself; a page read ahead is used only
 * if the cursor is where it was assumed to be (another replica or a split moves it elsewhere, and
 * the page is dropped; a failed send leaves the cursor behind it, and the page waits for the
 * retry to get there). One page a destination at most.
 */
export class PageAhead<Db = EntityManager> {
  private readonly ahead = new Map<string, Ahead>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly read: ReadRows<Db> = readStoredRows as unknown as ReadRows<Db>,
  ) {}

  /** The records past `after`: the page read ahead if it is that one, else read in `manager`'s transaction. */
  async take(manager: Db, destination: string, after: string, limit: number): Promise<StoredRow[]> {
    const ahead = this.ahead.get(destination);
    if (ahead && ahead.after === after && ahead.limit <= limit) {
      this.ahead.delete(destination);
      const rows = await ahead.rows;
      // Empty: the chain ended there when it was read; something may have been appended since.
      if (rows && rows.length > 0) return rows;
    } else if (ahead && BigInt(ahead.after) < BigInt(after)) {
      this.ahead.delete(destination);
    }
    return this.read(manager, after, limit);
  }

  /** After a full page (more is likely waiting), starts reading the next one unless it is already read. */
  readNext(destination: string, page: readonly StoredRow[], limit: number): void {
    const last = page.at(-1);
    if (page.length < limit || !last) return;
    const ahead = this.ahead.get(destination);
    if (ahead && ahead.after === last.sequence && ahead.limit === limit) return;
    if (this.running.size >= MAX_READS_AHEAD) return;
    // A failed read is not an error here: the destination reads the page itself.
    const rows = this.read(this.db, last.sequence, limit).catch(() => undefined);
    this.running.add(rows);
    void rows.finally(() => this.running.delete(rows));
    this.ahead.set(destination, { after: last.sequence, limit, rows });
  }

  /** Waits for reads still running (before the database is closed) and forgets what was read. */
  async settle(): Promise<void> {
    this.ahead.clear();
    await Promise.allSettled([...this.running]);
  }
}
