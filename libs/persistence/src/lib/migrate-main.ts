import { databaseConfig, databaseEnv, loadConfigOrExit } from '@gatehouse/config';
import { z } from 'zod';
import { createServiceDataSource, initializeDatabase, type ServiceDataSourceOptions } from './data-source';

/**
 * A service's `migrate` entry point (`node migrate.js` in its image; the Helm chart's
 * pre-install/pre-upgrade Job runs it): applies the service's pending migrations under the
 * same advisory lock the service takes at start-up, prints one JSON line saying what it
 * applied, and exits — 0 when the schema is current, 1 (with the reason) when it is not.
 */
export async function migrateMain(service: string, schema: string, migrations: ServiceDataSourceOptions['migrations']): Promise<void> {
  const config = loadConfigOrExit(service, z.object({ ...databaseEnv() }));
  const dataSource = createServiceDataSource({ ...databaseConfig(config), schema, entities: [], migrations, applicationName: `${service}-migrate`, poolSize: 2 });
  try {
    const applied = await initializeDatabase(dataSource, schema);
    process.stdout.write(`${JSON.stringify({ service, schema, applied, status: 'current' })}\n`);
    await dataSource.destroy();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${service}: migrations of schema "${schema}" failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await dataSource.destroy().catch(() => undefined);
    process.exit(1);
  }
}
