import { createTestDatabase, type TestDatabase } from '@gatehouse/testing';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createServiceDataSource, databaseCheck, initializeDatabase } from './data-source';

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    // Slow on purpose, so a second replica arrives while the first is still migrating.
    await runner.query('SELECT pg_sleep(0.3)');
    await runner.query('CREATE TABLE widgets.widgets (id int PRIMARY KEY)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE widgets.widgets');
  }
}

describe('persistence on real PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('persistence');
  });
  afterAll(async () => {
    await database?.drop();
  });

  const dataSource = () =>
    createServiceDataSource({ url: database.url, schema: 'widgets', entities: [], migrations: [CreateWidgets1700000000000], applicationName: 'test' });

  it('creates the schema and applies each migration once when replicas start together', async () => {
    const replicas = [dataSource(), dataSource(), dataSource()];
    const applied = await Promise.all(replicas.map((ds) => initializeDatabase(ds, 'widgets')));
    try {
      expect(applied.flat()).toEqual(['CreateWidgets1700000000000']);
      const [{ count }] = await replicas[0].query('SELECT count(*)::int AS count FROM widgets.migrations');
      expect(count).toBe(1);
      await expect(databaseCheck(replicas[1])()).resolves.toBeUndefined();
      expect(replicas[0].options.synchronize).toBe(false);
    } finally {
      await Promise.all(replicas.map((ds) => ds.destroy()));
    }
  });

  it('fails the readiness check when the database is gone', async () => {
    const ds = dataSource();
    await initializeDatabase(ds, 'widgets');
    await ds.destroy();
    await expect(databaseCheck(ds)()).rejects.toThrow();
  });
});
