import 'reflect-metadata';
import { loadConfigOrExit } from '@gatehouse/config';
import type { AuditRecord } from '@gatehouse/contracts';
import { Client } from 'pg';
import { auditEnvSchema, SCHEMA } from '../config';
import { ChainCheck } from '../verification/chain-check';

const PAGE = 1000;

/**
 * `gatehouse audit verify`: reads the whole chain from PostgreSQL, page by page in sequence
 * order, and reports the first record that is wrong with its kind. Exit 0: intact; 1: a
 * problem; 2: could not read the chain.
 */
async function main(): Promise<number> {
  const config = loadConfigOrExit('gatehouse audit verify', auditEnvSchema);
  const db = new Client({ connectionString: config.database.url });
  try {
    await db.connect();
  } catch (error) {
    console.error(`cannot reach PostgreSQL (${error instanceof Error ? error.message : String(error)}): check DATABASE_URL`);
    return 2;
  }
  try {
    const [head] = (await db.query(`SELECT seq::text AS seq, hash FROM ${SCHEMA}.chain_head WHERE id = 1`)).rows as { seq: string; hash: string }[];
    if (!head) {
      console.error('no audit chain in this database: has audit-reporting run against it? (check DATABASE_URL)');
      return 2;
    }
    const check = new ChainCheck();
    let after = '0';
    for (;;) {
      // seq_text, not seq: an output column named seq would make ORDER BY sort the text.
      const rows = (await db.query(`SELECT seq::text AS seq_text, hash, previous_hash, record FROM ${SCHEMA}.records WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`, [after])).rows.map(
        (r: { seq_text: string; hash: string; previous_hash: string; record: AuditRecord }) => ({ seq: r.seq_text, hash: r.hash, previous_hash: r.previous_hash, record: r.record }),
      );
      if (rows.length === 0) break;
      const ok = check.add(rows.map((r) => ({ seq: r.seq, hash: r.hash, previousHash: r.previous_hash, record: r.record })));
      after = rows[rows.length - 1]?.seq ?? after;
      if (check.count > 0 && check.count % 100_000 < PAGE) console.error(`… ${check.count} records verified`);
      if (!ok) break;
    }
    const problem = check.finish(head);
    if (problem) {
      console.log(`✗ ${problem.kind} at record ${problem.seq}${problem.id ? ` (id ${problem.id})` : ''}: ${problem.detail}`);
      console.log(JSON.stringify(problem));
      return 1;
    }
    console.log(`✓ ${check.count} records verified: every hash recomputed, every link followed, no record missing, and the chain ends where its head says`);
    return 0;
  } finally {
    await db.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`gatehouse audit verify: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
