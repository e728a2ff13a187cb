import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { keyIdOf, privateKeyOf, publicKeyOf, signCheckpoint, type CheckpointBody } from './checkpoint-signature';
import { MerkleFrontier } from './merkle-frontier';

const PAGE = 5000;

/**
 * Signs a checkpoint of the chain every AUDIT_CHECKPOINT_EVERY records, or every
 * AUDIT_CHECKPOINT_INTERVAL_MS when there is anything new: size, Merkle root and last hash,
 * signed with AUDIT_SIGNING_KEY. Only committed records are covered (the chain head is written
 * in the same transaction as its records), and replicas making the same checkpoint make it once.
 */
@Injectable()
export class Checkpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private key?: { privateKey: KeyObject; keyId: string };
  private lastAt = Date.now();
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const pem = this.config.checkpoints.signingKey;
    if (!pem) {
      this.logger.warn('AUDIT_SIGNING_KEY is not set: the audit chain is not checkpointed, so a cut tail is caught only against the chain head in the database');
      return;
    }
    this.key = { privateKey: privateKeyOf(pem), keyId: keyIdOf(publicKeyOf(pem)) };
    this.timer = setInterval(() => void this.tick(), Math.min(1000, this.config.checkpoints.intervalMs));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Makes a checkpoint if one is due; returns its size, if made. */
  async tick(force = false): Promise<string | undefined> {
    if (!this.key || this.running) return undefined;
    this.running = true;
    try {
      const [head] = (await this.dataSource.query(`SELECT seq::text AS seq_text, hash FROM audit.chain_head WHERE id = 1`)) as { seq_text: string; hash: string }[];
      const [last] = (await this.dataSource.query(`SELECT size::text AS size_text, frontier FROM audit.checkpoints ORDER BY size DESC LIMIT 1`)) as { size_text: string; frontier: { size: string; subtrees: [number, string][] } }[];
      if (!head) return undefined;
      const fresh = BigInt(head.seq_text) - BigInt(last?.size_text ?? '0');
      const due = fresh >= BigInt(this.config.checkpoints.every) || (fresh > 0n && (force || Date.now() - this.lastAt >= this.config.checkpoints.intervalMs));
      if (!due) return undefined;
      const frontier = last ? MerkleFrontier.fromJson(last.frontier) : MerkleFrontier.empty();
      while (frontier.size < BigInt(head.seq_text)) {
        const rows = (await this.dataSource.query(`SELECT hash FROM audit.records WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT ${PAGE}`, [frontier.size.toString(), head.seq_text])) as { hash: string }[];
        if (rows.length === 0) throw new Error(`records ${frontier.size + 1n}… are missing from the chain: not checkpointing it (run gatehouse audit verify)`);
        for (const row of rows) frontier.add(row.hash);
      }
      const body: CheckpointBody = { size: head.seq_text, root: frontier.root(), headHash: head.hash, createdAt: new Date().toISOString(), keyId: this.key.keyId };
      const made = await insertCheckpoint(this.dataSource, body, signCheckpoint(body, this.key.privateKey), frontier.toJson());
      this.lastAt = Date.now();
      return made ? body.size : undefined;
    } catch (error) {
      this.logger.error({ err: error }, 'could not make an audit checkpoint; trying again shortly');
      return undefined;
    } finally {
      this.running = false;
    }
  }
}

/**
 * Stores a checkpoint unless one as large or larger is there: checkpoints commit in the order of
 * their sizes, whichever replica makes them. A destination ships the checkpoints past the last it
 * shipped, so one committed after a larger one would never reach it. The lock makes replicas
 * take turns, and the check runs after it, on what the one before committed. False if not stored.
 */
export async function insertCheckpoint(dataSource: DataSource, body: CheckpointBody, signature: string, frontier: unknown): Promise<boolean> {
  // Read committed: the check's snapshot is taken after the lock, so it sees the holder before.
  return dataSource.transaction('READ COMMITTED', async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('gatehouse.audit.checkpoints'))`);
    const rows = (await manager.query(
      `INSERT INTO audit.checkpoints (size, root, head_hash, created_at, key_id, signature, frontier)
       SELECT $1::bigint, $2, $3, $4::timestamptz, $5, $6, $7::jsonb WHERE NOT EXISTS (SELECT FROM audit.checkpoints WHERE size >= $1::bigint) RETURNING size`,
      [body.size, body.root, body.headHash, body.createdAt, body.keyId, signature, JSON.stringify(frontier)],
    )) as unknown[];
    return rows.length === 1;
  });
}
