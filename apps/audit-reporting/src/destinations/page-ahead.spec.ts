import { PageAhead } from './page-ahead';
import type { StoredRow } from '../records/stored-row';

/** A chain of `length` records held in memory, answering readStoredRows' query; who asked is kept. */
class Chain {
  readonly asked: string[] = [];
  failing = false;
  /** While set, answers wait for it (a read still running). */
  gate?: Promise<void>;

  constructor(
    private readonly name: string,
    public length: number,
  ) {}

  async read(after: string, limit: number): Promise<StoredRow[]> {
    this.asked.push(`${this.name} after ${after}`);
    await this.gate;
    if (this.failing) throw new Error('connection terminated');
    const rows: StoredRow[] = [];
    for (let seq = Number(after) + 1; seq <= this.length && rows.length < limit; seq += 1) rows.push({ sequence: String(seq), type: 'access.requested', line: `{"sequence":"${seq}"}` });
    return rows;
  }
}

const readChain = (chain: Chain, after: string, limit: number) => chain.read(after, limit);
const sequences = (rows: readonly StoredRow[]) => rows.map((row) => Number(row.sequence));

describe('the next page read while a destination sends this one', () => {
  it('reads the page after a full one from the pool, and hands it over when the cursor got there', async () => {
    const pool = new Chain('pool', 10);
    const tx = new Chain('tx', 10);
    const ahead = new PageAhead(pool, readChain);
    const first = await ahead.take(tx, 'file', '0', 4);
    ahead.readNext('file', first, 4);
    expect(sequences(first)).toEqual([1, 2, 3, 4]);
    expect(sequences(await ahead.take(tx, 'file', '4', 4))).toEqual([5, 6, 7, 8]);
    expect([...tx.asked, ...pool.asked]).toEqual(['tx after 0', 'pool after 4']);
  });

  it('keeps the page for the retry when the send failed (the cursor stays behind it), and does not read it twice', async () => {
    const pool = new Chain('pool', 10);
    const tx = new Chain('tx', 10);
    const ahead = new PageAhead(pool, readChain);
    ahead.readNext('file', await ahead.take(tx, 'file', '0', 4), 4);
    // The send of 1..4 failed: the cursor is still at 0, and 1..4 are read again, not 5..8.
    const retry = await ahead.take(tx, 'file', '0', 4);
    expect(sequences(retry)).toEqual([1, 2, 3, 4]);
    ahead.readNext('file', retry, 4);
    expect(sequences(await ahead.take(tx, 'file', '4', 4))).toEqual([5, 6, 7, 8]);
    expect(tx.asked).toEqual(['tx after 0', 'tx after 0']);
    expect(pool.asked).toEqual(['pool after 4']);
  });

  it('drops the page when the cursor went past it (another replica shipped it)', async () => {
    const pool = new Chain('pool', 20);
    const tx = new Chain('tx', 20);
    const ahead = new PageAhead(pool, readChain);
    ahead.readNext('file', await ahead.take(tx, 'file', '0', 4), 4);
    expect(sequences(await ahead.take(tx, 'file', '8', 4))).toEqual([9, 10, 11, 12]);
    // Nothing read ahead is left over: were the cursor ever at 4 again, it would read for itself.
    expect(sequences(await ahead.take(tx, 'file', '4', 4))).toEqual([5, 6, 7, 8]);
    expect(tx.asked).toEqual(['tx after 0', 'tx after 8', 'tx after 4']);
  });

  it('reads ahead for at most four destinations at once (each read holds a pooled connection)', async () => {
    const pool = new Chain('pool', 10);
    const tx = new Chain('tx', 10);
    const ahead = new PageAhead(pool, readChain);
    let release = () => undefined as void;
    pool.gate = new Promise<void>((resolve) => (release = resolve));
    for (const name of ['a', 'b', 'c', 'd', 'e']) ahead.readNext(name, await ahead.take(tx, name, '0', 4), 4);
    expect(pool.asked).toHaveLength(4);
    release();
    await ahead.settle();
    ahead.readNext('e', await ahead.take(tx, 'e', '0', 4), 4);
    expect(pool.asked).toHaveLength(5);
  });

  it('never hands over a page bigger than asked for (a page being split down to one record)', async () => {
    const pool = new Chain('pool', 10);
    const tx = new Chain('tx', 10);
    const ahead = new PageAhead(pool, readChain);
    ahead.readNext('hook', await ahead.take(tx, 'hook', '0', 4), 4);
    expect(sequences(await ahead.take(tx, 'hook', '4', 2))).toEqual([5, 6]);
  });

  it('reads nothing ahead at the end of the chain, and reads again when the page ahead came back empty', async () => {
    const pool = new Chain('pool', 4);
    const tx = new Chain('tx', 4);
    const ahead = new PageAhead(pool, readChain);
    ahead.readNext('file', await ahead.take(tx, 'file', '0', 8), 8);
    expect(pool.asked).toEqual([]);
    ahead.readNext('file', await ahead.take(tx, 'file', '0', 4), 4);
    expect(pool.asked).toEqual(['pool after 4']);
    // Read ahead while 4 was the end; 5 and 6 were appended before the destination came back for them.
    tx.length = 6;
    expect(sequences(await ahead.take(tx, 'file', '4', 4))).toEqual([5, 6]);
  });

  it('falls back to the transaction when the read ahead failed', async () => {
    const pool = new Chain('pool', 10);
    const tx = new Chain('tx', 10);
    const ahead = new PageAhead(pool, readChain);
    pool.failing = true;
    ahead.readNext('file', await ahead.take(tx, 'file', '0', 4), 4);
    expect(sequences(await ahead.take(tx, 'file', '4', 4))).toEqual([5, 6, 7, 8]);
    expect(tx.asked).toEqual(['tx after 0', 'tx after 4']);
  });

  it('keeps one page ahead for each destination', async () => {
    const pool = new Chain('pool', 10);
    const tx = new Chain('tx', 10);
    const ahead = new PageAhead(pool, readChain);
    ahead.readNext('file', await ahead.take(tx, 'file', '0', 4), 4);
    ahead.readNext('hook', await ahead.take(tx, 'hook', '0', 2), 2);
    expect(sequences(await ahead.take(tx, 'hook', '2', 2))).toEqual([3, 4]);
    expect(sequences(await ahead.take(tx, 'file', '4', 4))).toEqual([5, 6, 7, 8]);
    expect(tx.asked).toEqual(['tx after 0', 'tx after 0']);
  });

  it('reads two pages ahead when asked to, each once, and hands them over in turn', async () => {
    const pool = new Chain('pool', 10);
    const tx = new Chain('tx', 10);
    const ahead = new PageAhead(pool, readChain, 2);
    ahead.readNext('file', await ahead.take(tx, 'file', '0', 4), 4);
    expect(pool.asked).toEqual(['pool after 4', 'pool after 8']);
    const second = await ahead.take(tx, 'file', '4', 4);
    ahead.readNext('file', second, 4);
    expect(sequences(second)).toEqual([5, 6, 7, 8]);
    expect(sequences(await ahead.take(tx, 'file', '8', 4))).toEqual([9, 10]);
    expect(tx.asked).toEqual(['tx after 0']);
    expect(pool.asked).toEqual(['pool after 4', 'pool after 8', 'pool after 12']);
  });
});
