import type { Finding } from '@gatehouse/config';
import { Client } from 'pg';

/** The URL without its password, for messages. */
const shown = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/**
 * Can this service reach PostgreSQL, and is its schema migrated? `migrations` are the service's
 * own migration classes; those not recorded in `<schema>.migrations` are pending.
 */
export async function checkDatabase(url: string, schema: string, migrations: readonly (new () => { name?: string })[]): Promise<Finding> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const fix = /database .* does not exist/.test(message) ? 'create that database (npm start creates the local one), or fix DATABASE_URL' : 'start PostgreSQL or fix DATABASE_URL';
    return { status: 'fail', detail: `PostgreSQL not reachable at ${shown(url)} (${message})`, fix };
  }
  try {
    const names = migrations.map((M) => new M().name ?? M.name);
    const table = await client.query(`SELECT to_regclass($1) AS t`, [`${schema}.migrations`]);
    if (!table.rows[0]?.t) return { status: 'warn', detail: `reachable; schema "${schema}" not migrated yet (${names.length} migrations to apply)`, fix: 'the service applies its migrations when it starts' };
    const applied = new Set((await client.query(`SELECT name FROM "${schema}".migrations`)).rows.map((r: { name: string }) => r.name));
    const pending = names.filter((n) => !applied.has(n));
    return pending.length === 0
      ? { status: 'pass', detail: `reachable; schema "${schema}" migrated (${names.length} migrations)` }
      : { status: 'warn', detail: `reachable; ${pending.length} migration(s) of "${schema}" not applied yet: ${pending.join(', ')}`, fix: 'the service applies them when it starts (this version is newer than the running one)' };
  } finally {
    await client.end().catch(() => undefined);
  }
}
