import { createTestDatabase, type TestDatabase } from '@gatehouse/testing';
import type { DataSource } from 'typeorm';
import { copyOutBinary } from './copy-out';
import { CopySlabs } from './copy-slabs';
import { createServiceDataSource, initializeDatabase } from './data-source';

describe('rows read as bytes with binary COPY, on real PostgreSQL', () => {
  let database: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('copyout');
    ds = createServiceDataSource({ url: database.url, schema: 'notes', entities: [], migrations: [], applicationName: 'test', poolSize: 2 });
    await initializeDatabase(ds, 'notes');
    await ds.query(`CREATE TABLE notes.notes (seq bigint PRIMARY KEY, body json, tag text)`);
    await ds.query(`INSERT INTO notes.notes SELECT n, json_build_object('n', n, 'text', repeat('é✓ "quoted" \\ back', n % 300)), CASE WHEN n % 7 = 0 THEN NULL ELSE 'tag' || n END FROM generate_series(1, 3000) AS n`);
  });
  afterAll(async () => {
    await ds?.destroy();
    await database?.drop();
  });

  it('reads exactly the text PostgreSQL stores, NULL as null, over many network reads', async () => {
    const rows = await copyOutBinary(ds.manager, `SELECT seq, body, tag FROM notes.notes WHERE seq > 10 ORDER BY seq LIMIT 2500`);
    const expected = (await ds.query(`SELECT n.seq::text AS seq, body::text AS body, tag FROM notes.notes n WHERE n.seq > 10 ORDER BY n.seq LIMIT 2500`)) as { seq: string; body: string; tag: string | null }[];
    expect(rows).toHaveLength(2500);
    const read = rows.map(([seq, body, tag]) => ({ seq: seq?.readBigInt64BE(0).toString(), body: body?.toString(), tag: tag === null ? null : tag?.toString() }));
    // Compared row by row: a failure names the first row that differs, not a megabyte diff.
    const firstDifferent = read.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(expected[i]));
    expect({ firstDifferent, row: read[firstDifferent]?.seq, was: JSON.stringify(read[firstDifferent])?.slice(0, 200), stored: JSON.stringify(expected[firstDifferent])?.slice(0, 200) }).toEqual({ firstDifferent: -1, row: undefined, was: undefined, stored: undefined });
  });

  it('reads page after page into slabs given back, each page exactly as stored', async () => {
    const slabs = new CopySlabs();
    const page = async (after: number) => (await copyOutBinary(ds.manager, `SELECT seq, body FROM notes.notes WHERE seq > ${after} ORDER BY seq LIMIT 500`, slabs)).map(([seq, body]) => ({ seq: seq?.readBigInt64BE(0).toString(), body }));
    const first = await page(0);
    const firstText = first.map((row) => row.body?.toString());
    slabs.giveBack(first.map((row) => row.body));
    const given = slabs.spareCount;
    expect(given).toBeGreaterThan(1);
    // Zeroed when given back: a view kept past that reads zeros until the slab is reused.
    expect(first.every((row) => row.body?.every((byte) => byte === 0))).toBe(true);
    const second = await page(500);
    // The second page went into the first one's slabs.
    expect(slabs.spareCount).toBeLessThan(given);
    expect(second.some((row) => first.some((kept) => kept.body?.buffer === row.body?.buffer))).toBe(true);
    expect(firstText).toEqual(((await ds.query(`SELECT body::text AS body FROM notes.notes WHERE seq <= 500 ORDER BY seq`)) as { body: string }[]).map((r) => r.body));
    const stored = (await ds.query(`SELECT n.seq::text AS seq, body::text AS body FROM notes.notes n WHERE n.seq > 500 ORDER BY n.seq LIMIT 500`)) as { seq: string; body: string }[];
    expect(second.map((row) => ({ seq: row.seq, body: row.body?.toString() }))).toEqual(stored);
  });

  it('reads a value larger than a slab whole', async () => {
    await ds.query(`INSERT INTO notes.notes VALUES (9000, json_build_object('big', repeat('x', 100000)), 'big')`);
    const [[body]] = (await copyOutBinary(ds.manager, `SELECT body FROM notes.notes WHERE seq = 9000`)) as [[Buffer]];
    expect(body.toString()).toBe((await ds.query(`SELECT body::text AS body FROM notes.notes WHERE seq = 9000`))[0].body);
  });

  it('fails with the error PostgreSQL hits after rows have started to arrive, and the connection serves the next query', async () => {
    await expect(copyOutBinary(ds.manager, `SELECT seq, 1 / (2999 - seq) FROM notes.notes WHERE seq < 3000 ORDER BY seq`)).rejects.toThrow('division by zero');
    expect(await copyOutBinary(ds.manager, `SELECT seq FROM notes.notes WHERE seq <= 3`)).toHaveLength(3);
  });

  it('refuses to read through a transaction that is over', async () => {
    const kept = await ds.transaction(async (manager) => manager);
    await expect(copyOutBinary(kept, `SELECT 1`)).rejects.toThrow('the transaction is over');
  });

  it("reads inside a transaction, seeing that transaction's own writes", async () => {
    const seen = await ds.transaction(async (manager) => {
      await manager.query(`INSERT INTO notes.notes VALUES (5000, '{"in":"tx"}', 'mine')`);
      return copyOutBinary(manager, `SELECT body FROM notes.notes WHERE seq = 5000`);
    });
    expect(seen.map(([body]) => body?.toString())).toEqual(['{"in":"tx"}']);
  });

  it('fails with PostgreSQL\'s error for a bad query, and the connection is fine afterwards', async () => {
    await expect(copyOutBinary(ds.manager, `SELECT nothing FROM notes.notes`)).rejects.toThrow('column "nothing" does not exist');
    expect(await copyOutBinary(ds.manager, `SELECT seq FROM notes.notes WHERE seq = 1`)).toHaveLength(1);
    expect(await copyOutBinary(ds.manager, `SELECT seq FROM notes.notes WHERE seq < 0`)).toEqual([]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM notes.notes WHERE seq <= 5000`)).toEqual([{ n: 3001 }]);
  });
});
