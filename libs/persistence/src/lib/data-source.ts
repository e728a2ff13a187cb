import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { PreparedStatements, preparingClient } from './prepared-statements';

export interface ServiceDataSourceOptions {
  url: string;
  /** Each service owns one schema; its tables and its migrations table live there. */
  schema: string;
  entities: MixedList<string | (new (...args: never[]) => unknown) | EntitySchema>;
  migrations: MixedList<string | (new (...args: never[]) => unknown)>;
  applicationName: string;
  poolSize?: number;
  /** Run the statements marked PREPARED as prepared ones (default true; off behind a pooler that cannot keep them). */
  preparedStatements?: boolean;
}

/** TypeORM on PostgreSQL, never `synchronize`: the schema changes only through migrations. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName,
    // Above the consumer's in-flight limit (16): each handler may hold a connection, and the
    // outbox relay, timers and health checks need theirs too.
    extra: {
      max: options.poolSize ?? 20,
      connectionTimeoutMillis: 5000,
      ...(options.preparedStatements === false ? {} : { Client: preparingClient(new PreparedStatements()) }),
    },
  });
}

/**
 * Connects, creates the service's schema, and applies pending migrations under an advisory
 * lock so replicas starting together never run the same migration twice.
 */
export async function initializeDatabase(dataSource: DataSource, schema: string): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`gatehouse.migrations.${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`gatehouse.migrations.${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

/** Readiness check: the database answers a trivial query. */
export function databaseCheck(dataSource: DataSource): () => Promise<void> {
  return async () => {
    await dataSource.query('SELECT 1');
  };
}
