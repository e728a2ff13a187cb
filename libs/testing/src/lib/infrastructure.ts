import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Where the real broker and database are. `npm test` (scripts/test.sh) starts Kafka and
 * checks PostgreSQL, then passes their addresses in these variables.
 */
/**
 * The test broker's SASL listener (PLAIN and SCRAM-SHA-512, one user), which `npm test` starts
 * it with (scripts/kafka.sh: KAFKA_SASL_LISTENER_PORT and KAFKA_SASL_LISTENER_USER).
 */
export function testKafkaSaslListener(): { brokers: string[]; username: string; password: string } {
  const port = process.env['KAFKA_SASL_LISTENER_PORT'];
  const user = process.env['KAFKA_SASL_LISTENER_USER'] ?? '';
  if (!port || !user.includes(':')) {
    throw new Error('KAFKA_SASL_LISTENER_PORT and KAFKA_SASL_LISTENER_USER (name:password) are not set: run with `npm test`, or start the broker with them (scripts/kafka.sh) and set them here too.');
  }
  const at = user.indexOf(':');
  return { brokers: [`127.0.0.1:${port}`], username: user.slice(0, at), password: user.slice(at + 1) };
}

export function testKafkaBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error('KAFKA_BROKERS is not set: integration tests need the real broker. Run them with `npm test`, or start one with `scripts/kafka.sh start` and set KAFKA_BROKERS=127.0.0.1:9092.');
  }
  return brokers.split(',');
}

export function postgresAdminUrl(): string {
  return process.env['TEST_POSTGRES_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Flows for tests: approvers are listed users, so deciding needs no directory. */
export const TEST_FLOWS_FILE = path.resolve(__dirname, '../../fixtures/flows.yaml');
/** The chaos soak's one flow: two listed approvers, one needed, a copy in a channel. */
export const SOAK_FLOWS_FILE = path.resolve(__dirname, '../../fixtures/soak-flows.yaml');

/** A short random suffix for topics, groups and databases that must not collide between tests. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file, dropped afterwards (the run prefix lets npm test sweep leftovers). */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const prefix = process.env['GATEHOUSE_TEST_RUN_ID'] ? `gh_${process.env['GATEHOUSE_TEST_RUN_ID']}` : 'gh_local';
  const name = `${prefix}_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${uniqueSuffix()}`;
  const adminUrl = postgresAdminUrl();
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Polls until the probe returns a value (not undefined/false), or fails with what it waited for. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15000, intervalMs = 50, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}
