import type { Envelope } from '@gatehouse/contracts';
import type { Logger } from '@gatehouse/observability';
import type { DataSource } from 'typeorm';
import type { MessagePublisher } from '../kafka/kafka-publisher';
import { assertSchemaName } from './messaging-tables';

export interface OutboxRelayOptions {
  /** Safety-net poll for rows whose post-commit kick was lost (crash, broker down). */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows older than this are deleted. */
  retentionHours?: number;
}

interface OutboxRow {
  seq: string;
  topic: string;
  envelope: Envelope;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows in commit order. Kicked right after each commit for low latency,
 * and polled as a safety net. A transaction-scoped advisory lock lets only one replica
 * publish at a time, which keeps per-request order; a crash between publish and marking
 * re-publishes, and consumers' inboxes make that harmless.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly lockKey: string;
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private lastCleanup = 0;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly publisher: MessagePublisher,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.table = `"${assertSchemaName(schema)}".outbox`;
    this.lockKey = `gatehouse.outbox.${schema}`;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a drain; if one is under way, it goes round once more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no drain is in progress (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    try {
      let published: number;
      do {
        this.again = false;
        published = await this.publishBatch(batchSize);
      } while (!this.stopped && (this.again || published === batchSize));
      await this.cleanupNowAndThen();
    } catch (error) {
      // The rows stay unpublished; the poller tries again.
      this.logger.warn({ err: error }, 'outbox relay could not publish; will retry');
    }
  }

  private async publishBatch(batchSize: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [this.lockKey]);
      if (!locked) return 0;
      const rows: OutboxRow[] = await manager.query(
        `SELECT seq, topic, envelope, headers FROM ${this.table} WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      await this.publisher.publish(rows.map((row) => ({ topic: row.topic, envelope: row.envelope, headers: row.headers })));
      await manager.query(`UPDATE ${this.table} SET published_at = now() WHERE seq = ANY($1::bigint[])`, [
        rows.map((row) => row.seq),
      ]);
      return rows.length;
    });
  }

  private async cleanupNowAndThen(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE published_at < now() - make_interval(hours => $1)`,
      [this.options.retentionHours ?? 24],
    );
  }
}
