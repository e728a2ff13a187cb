import type { Envelope } from '@gatehouse/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { outgoing } from '../kafka/kafka-publisher';
import { assertSchemaName } from './messaging-tables';
import type { CommittedMessage, OutboxRelay } from './outbox-relay';

/** What a piece of work sees inside its transaction: the manager for state, and the outbox. */
export class Transaction {
  readonly outboxed: CommittedMessage[] = [];

  constructor(
    readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  private written = 0;
  /** The inbox row's answer, written together with the outbox rows (one round trip). */
  inboxResult?: { consumer: string; messageId: string; json: string };

  /**
   * Queues an envelope for publishing; it is published only if the transaction commits. Rows
   * are written in one INSERT when the work is done (fewer round trips), still inside the
   * transaction, in the order they were queued.
   */
  async publish(envelope: Envelope, headers: Record<string, string> = {}): Promise<void> {
    const { topic } = outgoing(envelope);
    this.outboxed.push({ topic, envelope, headers });
  }

  /** Writes the queued outbox rows; called by the unit of work before it commits. */
  async flush(): Promise<void> {
    const rows = this.outboxed.slice(this.written);
    const inbox = this.inboxResult;
    this.inboxResult = undefined;
    if (rows.length === 0 && !inbox) return;
    const values: unknown[] = [];
    const tuples = rows.map(({ topic, envelope, headers }, i) => {
      values.push(envelope.id, topic, envelope.subject, JSON.stringify(envelope), JSON.stringify(headers));
      const at = i * 5;
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`;
    });
    const s = `"${this.schema}"`;
    const insertOutbox = `INSERT INTO ${s}.outbox (message_id, topic, message_key, envelope, headers) VALUES ${tuples.join(', ')}`;
    if (!inbox) {
      await this.manager.query(insertOutbox, values);
    } else {
      const at = values.length;
      values.push(inbox.consumer, inbox.messageId, inbox.json);
      const updateInbox = `UPDATE ${s}.inbox SET result = $${at + 3} WHERE consumer = $${at + 1} AND message_id = $${at + 2}`;
      await this.manager.query(rows.length === 0 ? updateInbox : `WITH answer AS (${updateInbox}) ${insertOutbox}`, values);
    }
    this.written = this.outboxed.length;
  }
}

/** A duplicate carries what the first delivery's work returned (stored as JSON). */
export type ConsumeResult<T> = { duplicate: true; previous: T | null } | { duplicate: false; result: T };

/**
 * Runs work in one database transaction together with its outbox rows, then kicks the relay.
 * `consumeOnce` also records the incoming message id in the inbox in that same transaction,
 * so a redelivered message finds its id and has no second effect.
 */
export class UnitOfWork {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly relay?: OutboxRelay,
  ) {
    this.schema = assertSchemaName(schema);
  }

  /**
   * Commits, then publishes what the work outboxed before returning, so a consumer handles
   * its next message only after this one's events are out: per-key order holds.
   */
  async run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let tx: Transaction | undefined;
    const result = await this.dataSource.transaction(async (manager) => {
      const current = new Transaction(manager, this.schema);
      tx = current;
      const value = await work(current);
      await current.flush();
      return value;
    });
    if (tx && tx.outboxed.length > 0) await this.relay?.publishCommitted(tx.outboxed);
    return result;
  }

  async consumeOnce<T>(consumer: string, message: Envelope, work: (tx: Transaction) => Promise<T>): Promise<ConsumeResult<T>> {
    return this.run(async (tx): Promise<ConsumeResult<T>> => {
      const inserted: unknown[] = await tx.manager.query(
        `INSERT INTO "${this.schema}".inbox (consumer, message_id, message_type) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [consumer, message.id, message.type],
      );
      if (inserted.length === 0) {
        const [row] = await tx.manager.query(`SELECT result FROM "${this.schema}".inbox WHERE consumer = $1 AND message_id = $2`, [
          consumer,
          message.id,
        ]);
        return { duplicate: true, previous: (row?.result ?? null) as T | null };
      }
      const result = await work(tx);
      // Stored with the outbox rows when the unit of work flushes, just before commit.
      if (result !== undefined) tx.inboxResult = { consumer, messageId: message.id, json: JSON.stringify(result) };
      return { duplicate: false, result };
    });
  }
}
