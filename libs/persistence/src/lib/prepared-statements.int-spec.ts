import { createTestDatabase, type TestDatabase } from '@gatehouse/testing';
import type { QueryRunner } from 'typeorm';
import { createServiceDataSource, initializeDatabase } from './data-source';
import { PREPARED, RUNS_BEFORE_PREPARING } from './prepared-statements';

describe('prepared statements on real PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('prepared');
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** One connection of a service's pool: what it prepares stays in its session. */
  async function withConnection(preparedStatements: boolean | undefined, use: (db: QueryRunner) => Promise<void>): Promise<void> {
    const ds = createServiceDataSource({ url: database.url, schema: 'widgets', entities: [], migrations: [], applicationName: 'test', poolSize: 2, preparedStatements });
    await initializeDatabase(ds, 'widgets');
    const runner = ds.createQueryRunner();
    try {
      await use(runner);
    } finally {
      await runner.release();
      await ds.destroy();
    }
  }

  const prepared = async (db: QueryRunner): Promise<string[]> =>
    ((await db.query(`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`)) as { statement: string }[]).map((row) => row.statement);

  it('prepares a statement that repeats, and answers it the same every time', async () => {
    await withConnection(undefined, async (db) => {
      const text = `${PREPARED}SELECT $1::int + 1 AS next`;
      const answers: number[] = [];
      for (let i = 0; i < RUNS_BEFORE_PREPARING + 5; i++) answers.push(((await db.query(text, [i])) as { next: number }[])[0]?.next ?? -1);
      expect(answers).toEqual(Array.from({ length: RUNS_BEFORE_PREPARING + 5 }, (_, i) => i + 1));
      expect(await prepared(db)).toContain(text);
      // In a transaction too; one that fails leaves the prepared statement usable.
      await db.startTransaction();
      expect(await db.query(text, [41])).toEqual([{ next: 42 }]);
      await expect(db.query(text, ['not a number'])).rejects.toThrow(/invalid input syntax/);
      await db.rollbackTransaction();
      expect(await db.query(text, [1])).toEqual([{ next: 2 }]);
      // A value pg cannot send fails that query alone, before anything is sent.
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      await expect(db.query(text, [circular])).rejects.toThrow(/circular/i);
      expect(await db.query(text, [2])).toEqual([{ next: 3 }]);
    });
  });

  it('runs a statement unprepared once a migration changed the type of a column it returns or compares with, then prepares it anew', async () => {
    await withConnection(true, async (db) => {
      await db.query('CREATE TABLE IF NOT EXISTS widgets.gadgets (id int PRIMARY KEY, size int)');
      await db.query('INSERT INTO widgets.gadgets VALUES (1, 7)');
      const text = `${PREPARED}SELECT id, size FROM widgets.gadgets WHERE id = $1`;
      for (let i = 0; i < RUNS_BEFORE_PREPARING + 1; i++) await db.query(text, [1]);
      expect(await prepared(db)).toContain(text);
      await db.query('ALTER TABLE widgets.gadgets ALTER COLUMN size TYPE text');
      // The statement in flight fails (its message is tried again); every later run answers.
      await expect(db.query(text, [1])).rejects.toThrow(/cached plan must not change result type/);
      for (let i = 0; i < RUNS_BEFORE_PREPARING + 1; i++) expect(await db.query(text, [1])).toEqual([{ id: 1, size: '7' }]);
      // A column a parameter is compared with changes type: the same, though no result changed.
      const byCode = `${PREPARED}SELECT id FROM widgets.gadgets WHERE size = $1`;
      await db.query('ALTER TABLE widgets.gadgets ALTER COLUMN size TYPE int USING size::int');
      for (let i = 0; i < RUNS_BEFORE_PREPARING + 1; i++) expect(await db.query(byCode, [7])).toEqual([{ id: 1 }]);
      await db.query('ALTER TABLE widgets.gadgets ALTER COLUMN size TYPE text');
      await expect(db.query(byCode, [7])).rejects.toThrow(/operator does not exist/);
      for (let i = 0; i < RUNS_BEFORE_PREPARING + 1; i++) expect(await db.query(byCode, [7])).toEqual([{ id: 1 }]);
    });
  });

  it('leaves statements unprepared when told to, and never prepares a SELECT * even marked', async () => {
    await withConnection(false, async (db) => {
      for (let i = 0; i < RUNS_BEFORE_PREPARING + 2; i++) await db.query(`${PREPARED}SELECT $1::int AS n`, [i]);
      expect(await prepared(db)).toEqual([]);
    });
    await withConnection(true, async (db) => {
      await db.query('CREATE TABLE IF NOT EXISTS widgets.widgets (id int PRIMARY KEY, n int)');
      await db.query('INSERT INTO widgets.widgets VALUES (1, 1)');
      const text = `${PREPARED}SELECT * FROM widgets.widgets WHERE id = $1`;
      for (let i = 0; i < RUNS_BEFORE_PREPARING + 2; i++) await db.query(text, [1]);
      // A newer replica's migration adds a column: the statement still answers, with it.
      await db.query('ALTER TABLE widgets.widgets ADD COLUMN name text');
      expect(await db.query(text, [1])).toEqual([{ id: 1, n: 1, name: null }]);
      expect((await prepared(db)).filter((s) => s.includes('*'))).toEqual([]);
    });
  });
});
