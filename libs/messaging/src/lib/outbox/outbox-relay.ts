import type { Envelope } from '@gatehouse/contracts';
import type { Logger } from '@gatehouse/observability';
import type { TopicMessages } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { handlingScope } from '../request-reply/handling-scope';
import type { MessagePublisher } from '../kafka/kafka-publisher';
import { assertSchemaName } from './messaging-tables';

export interface OutboxRelayOptions {
  /** Safety-net poll for rows whose post-commit kick was lost (crash, broker down). */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows older than this are deleted. */
  retentionHours?: number;
  /** The poller leaves younger rows to the post-commit fast path. */
  fastPathGraceMs?: number;
  /** How long rows published by the fast path wait to be marked, so that many share one statement. */
  markEveryMs?: number;
}

/** A row just committed, handed to the relay by the unit of work. */
export interface CommittedMessage {
  topic: string;
  envelope: Envelope;
  headers: Record<string, string>;
}

interface OutboxRow {
  seq: string;
  topic: string;
  envelope: Envelope;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows. Fast path: right after a commit the unit of work hands over the
 * rows it wrote and they are published from memory and marked (one UPDATE). Safety net: a
 * poller publishes, in commit order, rows the fast path never marked (a crash, the broker
 * down). While such a backlog exists the fast path stands aside, so a request's events never
 * overtake older ones. An advisory lock lets one replica drain at a time. A crash between
 * publish and marking re-publishes; consumers' inboxes make that harmless.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly lockKey: string;
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private lastCleanup = 0;
  private stopped = false;
  /** Unpublished rows may exist that the fast path must not overtake. */
  private backlog = true;
  private readonly publishQueue: { messages: readonly CommittedMessage[]; along: readonly TopicMessages[]; done: (published: boolean) => void }[] = [];
  private publishing?: Promise<void>;
  private readonly markQueue: { id: string; at: Date }[] = [];
  private marking?: Promise<void>;
  private markTimer?: NodeJS.Timeout;

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

  /**
   * Called after commit with the rows the transaction wrote; resolves once they are on the
   * broker (or handed to the poller), never throws. Concurrent callers share one produce
   * request: while one is in flight the next batch gathers, so under load many commits cost
   * one round trip, and when idle nothing waits. Marking rows published is not waited for and
   * is gathered for markEveryMs (with each row's own publish time): one statement and one commit
   * for many publishes, where marking as soon as possible kept an UPDATE and a WAL flush always
   * running under load (a quarter of PostgreSQL's time in the decisions benchmark). A row left
   * unmarked is only published again by the poller, which leaves rows younger than the grace
   * period to this path and whose repeats the consumers' inboxes make harmless.
   * `along` (a query's answer, say) goes in the same produce request; resolves whether it went
   * out (if not, it is the caller's to send; the messages are then out alone, or the poller's).
   */
  publishCommitted(messages: readonly CommittedMessage[], along: readonly TopicMessages[] = []): Promise<boolean> {
    if (messages.length === 0 || this.stopped) return Promise.resolve(false);
    if (this.backlog) {
      this.kick();
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      this.publishQueue.push({ messages, along, done: resolve });
      // The loop serves every caller, so it runs in no message's handling scope (whose events
      // would otherwise be released into the batch this loop is sending).
      this.publishing ??= handlingScope.exit(() => this.publishQueued()).finally(() => {
        this.publishing = undefined;
      });
    });
  }

  private async publishQueued(): Promise<void> {
    while (this.publishQueue.length > 0) {
      const batch = this.publishQueue.splice(0);
      const messages = batch.flatMap((entry) => entry.messages);
      let alongSent = false;
      try {
        if (this.backlog) throw new Error('a backlog is being drained in order');
        alongSent = await this.publishWith(messages, batch.flatMap((entry) => entry.along));
        this.markPublished(messages.map((m) => m.envelope.id));
      } catch (error) {
        if (!this.backlog) this.logger.warn({ err: error }, 'could not publish after commit; the poller will retry in order');
        this.backlog = true;
        this.kick();
      }
      for (const entry of batch) entry.done(alongSent);
    }
  }

  /**
   * Publishes the messages with `along` in one request; resolves whether `along` went. If that
   * request fails, what failed may be one caller's answer (its reply topic gone, say): the
   * messages go alone, and each answer is its caller's to send, and to fail, on its own.
   */
  private async publishWith(messages: readonly CommittedMessage[], along: readonly TopicMessages[]): Promise<boolean> {
    if (along.length === 0) {
      await this.publisher.publish(messages);
      return true;
    }
    try {
      await this.publisher.publish(messages, along);
      return true;
    } catch {
      await this.publisher.publish(messages);
      return false;
    }
  }

  private markPublished(ids: string[]): void {
    const at = new Date();
    for (const id of ids) this.markQueue.push({ id, at });
    this.scheduleMarks();
  }

  private scheduleMarks(): void {
    if (this.marking || this.markTimer || this.markQueue.length === 0) return;
    // Stopping: a publish that was under way is marked at once.
    if (this.stopped) {
      void this.markQueued();
      return;
    }
    this.markTimer = setTimeout(() => {
      this.markTimer = undefined;
      void this.markQueued();
    }, this.options.markEveryMs ?? 50);
  }

  private markQueued(): Promise<void> {
    const batch = this.markQueue.splice(0);
    this.marking = this.dataSource
      .query(
        // A list of keys: planned each run (persistence's PREPARED says why; the outbox keeps a day of rows).
        `UPDATE ${this.table} o SET published_at = m.at FROM unnest($1::uuid[], $2::timestamptz[]) AS m(id, at) WHERE o.message_id = m.id AND o.published_at IS NULL`,
        [batch.map((mark) => mark.id), batch.map((mark) => mark.at.toISOString())],
      )
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: error }, 'could not mark outbox rows published; the poller will publish them again'),
      )
      .finally(() => {
        this.marking = undefined;
        this.scheduleMarks();
      });
    return this.marking;
  }

  /** Asks for a drain; if one is under way, it goes round once more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = handlingScope.exit(() => this.drain()).finally(() => {
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
    // What the fast path published (or is publishing) is marked now, not published again after a restart.
    await this.publishing;
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    while (this.marking || this.markQueue.length > 0) await (this.marking ?? this.markQueued());
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    try {
      let published: number;
      do {
        this.again = false;
        published = await this.publishBatch(batchSize);
      } while (!this.stopped && (this.again || published === batchSize));
      if (published === 0 && !this.again) this.backlog = false;
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
      // Outside a backlog, rows younger than the grace period belong to the fast path.
      const graceMs = this.backlog ? 0 : (this.options.fastPathGraceMs ?? 5000);
      const rows: OutboxRow[] = await manager.query(
        `SELECT seq, topic, envelope, headers FROM ${this.table}
          WHERE published_at IS NULL AND created_at <= now() - make_interval(secs => $2::double precision / 1000)
          ORDER BY seq LIMIT $1`,
        [batchSize, graceMs],
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
