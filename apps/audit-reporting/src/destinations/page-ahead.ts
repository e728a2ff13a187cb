import type { EntityManager } from 'typeorm';
import type { StoredRow } from '../records/stored-row';

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
 * While a destination drains a backlog, the pages after the one it is sending are read at the
 * same time (PostgreSQL reads while the destination takes the page), instead of after the send
 * and the cursor's commit. Records are immutable and appended in sequence order, so rows read
 * outside the destination's transaction are the rows it would read itself; a page read ahead is
 * used only if the cursor is where it was assumed to be (another replica or a split moves it
 * elsewhere, and the page is dropped; a failed send leaves the cursor behind it, and the page
 * waits for the retry to get there). Up to `pagesAhead` pages a destination: records are
 * numbered without gaps, so the pages after a full one start `limit` records apart.
 */
export class PageAhead<Db = EntityManager> {
  /** Each destination's pages read ahead, in chain order. */
  private readonly ahead = new Map<string, Ahead[]>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly read: ReadRows<Db>,
    private readonly pagesAhead = 1,
  ) {}

  /** The records past `after`: the page read ahead if it is that one, else read in `manager`'s transaction. */
  async take(manager: Db, destination: string, after: string, limit: number): Promise<StoredRow[]> {
    // Pages the cursor went past (another replica shipped them) are dropped.
    const pages = (this.ahead.get(destination) ?? []).filter((page) => BigInt(page.after) >= BigInt(after));
    const at = pages.findIndex((page) => page.after === after && page.limit <= limit);
    const page = at === -1 ? undefined : pages.splice(at, 1)[0];
    if (pages.length > 0) this.ahead.set(destination, pages);
    else this.ahead.delete(destination);
    if (page) {
      const rows = await page.rows;
      // Empty: the chain ended there when it was read; something may have been appended since.
      if (rows && rows.length > 0) return rows;
    }
    return this.read(manager, after, limit);
  }

  /** After a full page (more is likely waiting), starts reading the pages after it that are not read yet. */
  readNext(destination: string, page: readonly StoredRow[], limit: number): void {
    const last = page.at(-1);
    if (page.length < limit || !last) return;
    const pages = (this.ahead.get(destination) ?? []).filter((ahead) => BigInt(ahead.after) >= BigInt(last.sequence));
    for (let k = 0; k < this.pagesAhead; k++) {
      const after = (BigInt(last.sequence) + BigInt(k * limit)).toString();
      if (pages.some((ahead) => ahead.after === after && ahead.limit === limit)) continue;
      if (this.running.size >= MAX_READS_AHEAD) break;
      // A failed read is not an error here: the destination reads the page itself.
      const rows = this.read(this.db, after, limit).catch(() => undefined);
      this.running.add(rows);
      void rows.finally(() => this.running.delete(rows));
      pages.push({ after, limit, rows });
    }
    if (pages.length > 0) this.ahead.set(destination, pages);
  }

  /** Waits for reads still running (before the database is closed) and forgets what was read. */
  async settle(): Promise<void> {
    this.ahead.clear();
    await Promise.allSettled([...this.running]);
  }
}
