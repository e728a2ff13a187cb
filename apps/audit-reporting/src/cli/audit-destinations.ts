import 'reflect-metadata';
import { loadConfigOrExit } from '@gatehouse/config';
import { Client } from 'pg';
import { auditEnvSchema } from '../config';
import { destinationStates } from '../destinations/destination-states';

/** `gatehouse audit destinations`: each destination's state, lag and counts, and what is wrong. */
async function main(): Promise<number> {
  const config = loadConfigOrExit('gatehouse audit destinations', auditEnvSchema);
  const db = new Client({ connectionString: config.database.url });
  await db.connect();
  try {
    const states = await destinationStates({ query: async (sql: string) => (await db.query(sql)).rows });
    if (states.length === 0) {
      console.log('No audit destinations have run yet: list them in the file GATEHOUSE_AUDIT_DESTINATIONS names (see docs/audit-destinations.schema.json).');
      return 0;
    }
    for (const s of states) {
      const mark = s.state === 'paused' ? '✗ paused' : s.lag > 0 && s.lastError ? '! behind' : '✓ active';
      console.log(`${mark.padEnd(9)} ${s.name}: ${s.lag} behind, ${s.delivered} delivered, ${s.failed} failed attempts, ${s.quarantined} quarantined (up to record ${s.deliveredSeq}, ${s.updatedAt.toISOString()})`);
      if (s.lastError) console.log(`          last error: ${s.lastError}`);
    }
    return states.some((s) => s.state === 'paused') ? 1 : 0;
  } finally {
    await db.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`gatehouse audit destinations: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
