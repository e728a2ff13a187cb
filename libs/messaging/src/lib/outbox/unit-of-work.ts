import type { Envelope } from '@gatehouse/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { outgoing } from '../kafka/kafka-publisher';
import { assertSchemaName } from './messaging-tables';
import type { CommittedMessage, OutboxRelay } from './outbox-relay';

/** Hands out `$n` placeholders for values, so statements can be put together from parts. */
export type Bind = (value: unknown) => string;

/** What a piece of work sees inside its transaction: the manager for state, and the outbox. */
export class Transaction {
  readonly outboxed: CommittedMessage[] = [];
  private readonly finalWrites: ((bind: Bind) => string)[] = [];

  constructor(
    readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  private written = 0;
  /** The inbox row's answer, written together with the outbox rows (one round trip). */
  inboxResult?: { consumer: string; messageId: string; json: string };
  /** Claim-at-commit: the inbox rows to insert in the final statement (see consumeOnce). */
  claims: InboxClaim[] = [];
  /** Set by flush when a claim found its message already handled. */
  claimLost = false;

  /**
   * Queues an envelope for publishing; it is published only if the transaction commits. Rows
   * are written in one INSERT when the work is done (fewer round trips), still inside the
   * transaction, in the order they were queued.
   */
  async publish(envelope: Envelope, headers: Record<string, string> = {}): Promise<void> {
    const { topic } = outgoing(envelope);
    this.outboxed.push({ topic, envelope, headers });
  }

  /**
   * A write whose result the work does not need: it runs in the final statement with the
   * outbox rows, saving a round trip. `build` gets `bind` for its values and returns one
   * INSERT, UPDATE or DELETE without a WITH clause of its own (it becomes one).
   */
  atCommit(build: (bind: Bind) => string): void {
    this.finalWrites.push(build);
  }

  /** Writes what is queued (one statement); called by the unit of work before it commits. */
  async flush(): Promise<void> {
    const rows = this.outboxed.slice(this.written);
    const inbox = this.inboxResult;
    const claims = this.claims.splice(0);
    const writes = this.finalWrites.splice(0);
    this.inboxResult = undefined;
    if (rows.length === 0 && !inbox && claims.length === 0 && writes.length === 0) return;
    const values: unknown[] = [];
    const bind: Bind = (value) => {
      values.push(value);
      return `$${values.length}`;
    };
    const s = `"${this.schema}"`;
    // Data-modifying WITH parts all run, in one snapshot, whatever the final SELECT reads.
    const parts = writes.map((build, i) => `w${i} AS (${build(bind)})`);
    if (rows.length > 0) {
      const tuples = rows.map(({ topic, envelope, headers }) =>
        `(${bind(envelope.id)}, ${bind(topic)}, ${bind(envelope.subject)}, ${bind(JSON.stringify(envelope))}, ${bind(JSON.stringify(headers))})`,
      );
      parts.push(`outbox AS (INSERT INTO ${s}.outbox (message_id, topic, message_key, envelope, headers) VALUES ${tuples.join(', ')})`);
    }
    if (inbox) {
      parts.push(`answer AS (UPDATE ${s}.inbox SET result = ${bind(inbox.json)} WHERE consumer = ${bind(inbox.consumer)} AND message_id = ${bind(inbox.messageId)})`);
    }
    if (claims.length > 0) {
      const tuples = claims.map((claim) => `(${bind(claim.consumer)}, ${bind(claim.messageId)}, ${bind(claim.type)}, ${bind(claim.json)})`);
      parts.push(`claim AS (INSERT INTO ${s}.inbox (consumer, message_id, message_type, result) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING RETURNING 1)`);
    }
    const [answer]: { claimed: number }[] = await this.manager.query(
      `WITH ${parts.join(', ')} SELECT ${claims.length > 0 ? '(SELECT count(*) FROM claim)::int' : '0'} AS claimed`,
      values,
    );
    if ((answer?.claimed ?? 0) < claims.length) this.claimLost = true;
    this.written = this.outboxed.length;
  }
}

/** A message's id in the inbox, written at commit; `json` is what its work returned. */
export interface InboxClaim {
  consumer: string;
  messageId: string;
  type: string;
  json: string | null;
}

/** A duplicate carries what the first delivery's work returned (stored as JSON). */
export type ConsumeResult<T> = { duplicate: true; previous: T | null } | { duplicate: false; result: T };

export interface ConsumeOptions {
  /**
   * Record the message id at the end, in the final statement, instead of first: one round trip
   * fewer. Only for work whose every effect is in this transaction (no calls to other
   * systems): a duplicate's work is done again and then rolled back.
   */
  claimAtCommit?: boolean;
}

/** A message handled in a group, with what its work returned. */
export interface Handled<T> {
  message: Envelope;
  result: T;
}

function claimOf(consumer: string, message: Envelope, result: unknown): InboxClaim {
  return { consumer, messageId: message.id, type: message.type, json: result === undefined ? null : JSON.stringify(result) };
}

/** Thrown inside the transaction to roll back the work of a message already handled. */
class AlreadyHandled extends Error {}

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
      if (current.claimLost) throw new AlreadyHandled();
      return value;
    });
    if (tx && tx.outboxed.length > 0) await this.relay?.publishCommitted(tx.outboxed);
    return result;
  }

  async consumeOnce<T>(consumer: string, message: Envelope, work: (tx: Transaction) => Promise<T>, options: ConsumeOptions = {}): Promise<ConsumeResult<T>> {
    if (options.claimAtCommit) {
      // A group of one.
      const [handled] = (await this.consumeTogether(consumer, async (tx) => [{ message, result: await work(tx) }])) ?? [];
      if (handled) return { duplicate: false, result: handled.result };
      return { duplicate: true, previous: await this.previousResult<T>(this.dataSource.manager, consumer, message.id) };
    }
    return this.run(async (tx): Promise<ConsumeResult<T>> => {
      const inserted: unknown[] = await tx.manager.query(
        `INSERT INTO "${this.schema}".inbox (consumer, message_id, message_type) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [consumer, message.id, message.type],
      );
      if (inserted.length === 0) return { duplicate: true, previous: await this.previousResult<T>(tx.manager, consumer, message.id) };
      const result = await work(tx);
      // Stored with the outbox rows when the unit of work flushes, just before commit.
      if (result !== undefined) tx.inboxResult = { consumer, messageId: message.id, json: JSON.stringify(result) };
      return { duplicate: false, result };
    });
  }

  /**
   * Several messages' work in one transaction: one commit for all of them. `work` returns the
   * messages it handled with each one's result; each is claimed in the inbox at commit, as with
   * `claimAtCommit` (so, likewise, only for work whose every effect is in this transaction). If
   * any of them had been handled already, nothing is committed and the answer is `undefined`:
   * do them one by one with `consumeOnce`, which answers a duplicate with its first result.
   */
  async consumeTogether<T>(consumer: string, work: (tx: Transaction) => Promise<readonly Handled<T>[]>): Promise<readonly Handled<T>[] | undefined> {
    try {
      return await this.run(async (tx) => {
        const handled = await work(tx);
        for (const { message, result } of handled) tx.claims.push(claimOf(consumer, message, result));
        return handled;
      });
    } catch (error) {
      if (error instanceof AlreadyHandled) return undefined;
      throw error;
    }
  }

  /**
   * Which of these messages were handled already, with what their work returned: a group
   * answers its redeliveries (after a rebalance, say) from here instead of being rolled back.
   */
  async handledBefore<T>(manager: EntityManager, consumer: string, messageIds: readonly string[]): Promise<Map<string, T | null>> {
    const rows: { message_id: string; result: T | null }[] = await manager.query(
      `SELECT message_id, result FROM "${this.schema}".inbox WHERE consumer = $1 AND message_id = ANY($2::uuid[])`,
      [consumer, messageIds],
    );
    return new Map(rows.map((row) => [row.message_id, row.result ?? null]));
  }

  private async previousResult<T>(manager: EntityManager, consumer: string, messageId: string): Promise<T | null> {
    return (await this.handledBefore<T>(manager, consumer, [messageId])).get(messageId.toLowerCase()) ?? null;
  }
}
