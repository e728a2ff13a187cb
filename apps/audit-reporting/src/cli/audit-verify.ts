import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@gatehouse/config';
import type { AuditRecord } from '@gatehouse/contracts';
import { Client } from 'pg';
import { auditEnvSchema, SCHEMA, type AuditConfig } from '../config';
import { CHECKPOINT_COLUMNS, CHECKPOINT_TYPE, checkpointFromRow, checkpointInLine, type CheckpointRow, type SignedCheckpoint } from '../checkpoints/checkpoint-event';
import { checkpointSignatureValid, keyIdOf, publicKeyOf } from '../checkpoints/checkpoint-signature';
import { ChainCheck, type ChainProblem, type TrustedCheckpoint } from '../verification/chain-check';

const PAGE = 1000;

/**
 * `gatehouse audit verify`: reads the whole chain from PostgreSQL, page by page in sequence
 * order, and reports the first record that is wrong with its kind. Exit 0: intact; 1: a
 * problem; 2: could not read the chain.
 */
async function main(): Promise<number> {
  const config = loadConfigOrExit('gatehouse audit verify', auditEnvSchema);
  const { values } = parseArgs({ args: process.argv.slice(2), options: { anchors: { type: 'string', multiple: true } } });
  const anchors = await anchorsIn(values.anchors ?? []);
  if ('error' in anchors) {
    console.error(anchors.error);
    return 2;
  }
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
    const trusted = await trustedCheckpoints(db, config, anchors.checkpoints);
    if ('problem' in trusted) {
      console.log(`✗ ${trusted.problem.kind} at record ${trusted.problem.seq}: ${trusted.problem.detail}`);
      console.log(JSON.stringify(trusted.problem));
      return 1;
    }
    const check = new ChainCheck(trusted.checkpoints);
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
    const outside = anchors.checkpoints.length > 0 ? ` (${anchors.checkpoints.length} of them from ${values.anchors?.length} anchor file${values.anchors?.length === 1 ? '' : 's'})` : '';
    const anchored = trusted.checkpoints.length > 0 ? `, and it matches all ${trusted.checkpoints.length} signed checkpoints${outside}` : '';
    console.log(`✓ ${check.count} records verified: every hash recomputed, every link followed, no record missing, the chain ends where its head says${anchored}`);
    return 0;
  } finally {
    await db.end();
  }
}

/**
 * The checkpoints — the database's, and those a destination received (anchors, kept outside the
 * database) — each signature checked with the audit public key; the first forged one is the
 * problem. An anchor the database no longer has is exactly what catches a rewritten database.
 */
async function trustedCheckpoints(db: Client, config: AuditConfig, anchors: readonly SignedCheckpoint[]): Promise<{ checkpoints: TrustedCheckpoint[] } | { problem: ChainProblem }> {
  const stored = ((await db.query(`SELECT ${CHECKPOINT_COLUMNS} FROM ${SCHEMA}.checkpoints ORDER BY size`)).rows as CheckpointRow[]).map(checkpointFromRow);
  const all = [...stored, ...anchors];
  const pem = config.checkpoints.verifyKey ?? config.checkpoints.signingKey;
  if (all.length > 0 && !pem) {
    console.error(`! ${all.length} signed checkpoints not checked: set AUDIT_VERIFY_KEY (the Ed25519 public key) to check them and catch a cut tail`);
    return { checkpoints: [] };
  }
  if (!pem) return { checkpoints: [] };
  const publicKey = publicKeyOf(pem);
  const keyId = keyIdOf(publicKey);
  const checkpoints = new Map<string, TrustedCheckpoint>();
  for (const c of all) {
    const { signature, ...body } = c;
    if (c.keyId !== keyId || !checkpointSignatureValid(body, signature, publicKey)) {
      const why = c.keyId !== keyId ? `it names key ${c.keyId}, not the audit key ${keyId}` : 'its signature does not verify with the audit key';
      return { problem: { kind: 'bad_signature', seq: c.size, detail: `the checkpoint of ${c.size} records is forged: ${why}` } };
    }
    checkpoints.set(`${c.size}:${c.root}`, { size: c.size, root: c.root, headHash: c.headHash, createdAt: c.createdAt });
  }
  return { checkpoints: [...checkpoints.values()] };
}

/** The signed checkpoints in JSON-lines files a destination received (any format); other lines are passed over. */
async function anchorsIn(files: readonly string[]): Promise<{ checkpoints: SignedCheckpoint[] } | { error: string }> {
  const checkpoints: SignedCheckpoint[] = [];
  for (const file of files) {
    let lines = 0;
    try {
      const reader = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      for await (const line of reader) {
        lines += 1;
        if (!line.includes(CHECKPOINT_TYPE)) continue;
        const found = checkpointInLine(JSON.parse(line) as unknown);
        if (found) checkpoints.push(found);
      }
    } catch (error) {
      return { error: `cannot read the anchors in ${file} (line ${lines}): ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (files.length > 0 && checkpoints.length === 0) return { error: `no signed checkpoints in ${files.join(', ')}: is it a file destination's output, with AUDIT_SIGNING_KEY set on audit-reporting?` };
  return { checkpoints };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`gatehouse audit verify: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
