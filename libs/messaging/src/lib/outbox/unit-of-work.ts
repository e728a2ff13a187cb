import type { Envelope } from '@gatehouse/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { outgoing } from '../kafka/kafka-publisher';
import { rideWithAnswer } from '../request-reply/reply-riders';
import { assertSchemaName, PREPARED } from './messaging-tables';
import { GroupedWork } from './grouped-work';
import type { CommittedMessage, OutboxRelay } from './outbox-relay';

/** Hands out `$n` placeholders for values, so statements can be put together from parts. */
export type Bind = (value: unknown) => string;

/** A fresh `bind` and the values it has bound, in placeholder order. */
export function binder(): { bind: Bind; values: unknown[] } {
  const values: unknown[] = [];
  return {
    values,
    bind: (value) => {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

/** A write for the final statement; `mustChange` says what it means when it changes no row. */
export interface FinalWrite {
  build: (bind: Bind) => string;
  mustChange?: string;
}

/**
 * An INSERT of rows given as JSON objects (`Row`: keys named as the table's columns), declared
 * once (a module's constant): the pieces of a group (consumeInOneStatement) that queue rows for
 * the same one are written by one INSERT, where each piece's own INSERT was a part of the
 * statement of its own (a group of thirty created requests: sixty parts, 11 ms a run). `sql`
 * gets the FROM item of the rows — `given`, each with the table's row type (keys that are not
 * columns are ignored, missing ones and nulls are SQL NULL, jsonb columns too), numbered in the
 * order queued by `given.ordinality` — and returns one INSERT. JSON in a transaction's final
 * statement too, where its outbox rows and claims stay VALUES lists (decisions, 64 to a
 * transaction, fell behind at 1,000 a second with those as JSON documents).
 */
export interface RowsInsert<Row extends object> {
  /** The table whose row type the rows are read as: `schema.table`. */
  readonly table: string;
  readonly sql: (given: string) => string;
  /**
   * What it means when fewer rows were inserted than given (an id taken, say): then the
   * statement writes nothing and throws NothingWritten with it. The INSERT must end in RETURNING
   * and must not leave rows out on purpose (a WHERE): every row missing counts as refused.
   */
  readonly mustInsertAll?: string;
  /** Only to tie `Row` to the insert (never set). */
  readonly row?: Row;
}

/** Rows queued for a RowsInsert. */
interface QueuedRows {
  insert: RowsInsert<object>;
  rows: readonly object[];
}

/** What work that only writes may do: queue events, final writes and rows (see consumeInOneStatement). */
export type Writes = Pick<Transaction, 'publish' | 'atCommit' | 'insertRows'>;

/**
 * The final statement wrote nothing, on purpose: a message it claims was handled already
 * (`reason` 'already handled'), a write that had to change a row changed none (its
 * `mustChange`), or a RowsInsert left a row out (its `mustInsertAll`). Inside a transaction, the
 * transaction is rolled back too.
 */
export class NothingWritten extends Error {
  constructor(readonly reason: string) {
    super(`nothing written: ${reason}`);
    this.name = 'NothingWritten';
  }
}

export const ALREADY_HANDLED = 'already handled';

/**
 * How the final statement refuses: a value that is not an integer, cast to one, fails the
 * statement as a whole (every part of a WITH rolls back with it), with the reason in the error.
 */
const REFUSAL = 'gatehouse: nothing written: ';

/**
 * Which of the statement's own reasons refused it: only the cast's error (invalid text for an
 * integer, 22P02) counts, and the reason is matched whole, whatever quotes the server's language
 * puts around the value.
 */
function refusalOf(error: unknown, reasons: readonly string[]): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown }; message?: unknown } | undefined;
  if ((e?.driverError?.code ?? e?.code) !== '22P02' || typeof e?.message !== 'string') return undefined;
  const message = e.message;
  return reasons.find((reason) => message.includes(REFUSAL + reason));
}

/** What a piece of work sees inside its transaction: the manager for state, and the outbox. */
export class Transaction {
  readonly outboxed: CommittedMessage[] = [];
  private readonly finalWrites: FinalWrite[] = [];
  private readonly rowInserts: QueuedRows[] = [];

  constructor(
    readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  private written = 0;
  /** The inbox row's answer, written together with the outbox rows (one round trip). */
  inboxResult?: { consumer: string; messageId: string; json: string };
  /** Claim-at-commit: the inbox rows to insert in the final statement (see consumeOnce). */
  claims: InboxClaim[] = [];
  /** The ids of the messages this work handles (claimed in the inbox). */
  readonly handles: string[] = [];

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
   * INSERT, UPDATE or DELETE without a WITH clause of its own (it becomes one). With
   * `mustChange`, it ends in `RETURNING` and, if it changes no row, the final statement writes
   * nothing and flush throws NothingWritten with that reason (an id taken, say).
   */
  atCommit(build: (bind: Bind) => string, options: { mustChange?: string } = {}): void {
    this.finalWrites.push({ build, mustChange: options.mustChange });
  }

  /** Rows to insert in the final statement, with those other pieces of its group queue for `insert`. */
  insertRows<Row extends object>(insert: RowsInsert<Row>, rows: readonly Row[]): void {
    if (rows.length > 0) this.rowInserts.push({ insert, rows });
  }

  /** Writes what is queued (one statement); called by the unit of work before it commits. */
  async flush(): Promise<void> {
    await writeFinal(this.manager, this.schema, [this.takeQueued()]);
  }

  /** Takes what is queued for the final statement out of the queue (for the unit of work). */
  takeQueued(): Queued {
    const queued: Queued = {
      rows: this.outboxed.slice(this.written),
      answers: this.inboxResult ? [this.inboxResult] : [],
      claims: this.claims.splice(0),
      writes: this.finalWrites.splice(0),
      inserts: this.rowInserts.splice(0),
    };
    this.written = this.outboxed.length;
    this.inboxResult = undefined;
    return queued;
  }
}

/** What a final statement writes, as queued by one piece of work. */
export interface Queued {
  /** Written with other pieces (consumeInOneStatement): its writes must be INSERTs. */
  insertsOnly?: boolean;
  rows: readonly CommittedMessage[];
  answers: readonly { consumer: string; messageId: string; json: string }[];
  claims: readonly InboxClaim[];
  writes: readonly FinalWrite[];
  inserts: readonly QueuedRows[];
}

/**
 * Writes what one or several pieces of work queued, in one statement. Refused as a whole —
 * NothingWritten, nothing of it written — if a claimed message was handled already, a
 * `mustChange` write changed nothing or a `mustInsertAll` insert left a row out. Builds the statement afresh each time, so a group that
 * was refused can be written again piece by piece.
 */
async function writeFinal(manager: EntityManager, schema: string, pieces: readonly Queued[]): Promise<void> {
  const rows = pieces.flatMap((p) => p.rows);
  const answers = pieces.flatMap((p) => p.answers);
  const claims = pieces.flatMap((p) => p.claims);
  const writes = pieces.flatMap((p, piece) => p.writes.map((write) => ({ ...write, insertsOnly: p.insertsOnly === true, piece })));
  const inserts = mergedInserts(pieces);
  if (rows.length === 0 && answers.length === 0 && claims.length === 0 && writes.length === 0 && inserts.length === 0) return;
  const { bind, values } = binder();
  const s = `"${schema}"`;
  const oneStatementWork = pieces.every((piece) => piece.insertsOnly === true);
  // Each piece's writes, placeholders aside: a group of pieces alike makes a text worth
  // preparing. Worked out only for such groups (a regex over every write's text).
  const shapes = oneStatementWork && pieces.length > 1 ? pieces.map(() => '') : undefined;
  // Data-modifying WITH parts all run, in one snapshot, whatever the final SELECT reads.
  const parts = writes.map(({ build, insertsOnly, piece }, i) => {
    const sql = build(bind);
    if (shapes !== undefined) shapes[piece] += `${sql.replace(/\$\d+/g, '$')};`;
    // Parts of one statement do not see each other's writes, and two UPDATEs of one row apply
    // once: pieces of unrelated messages that may be written together must only insert.
    if (insertsOnly && !/^\s*INSERT\b/i.test(sql)) throw new Error(`work done in one statement may only insert, but queued: ${sql.trim().slice(0, 60)}…`);
    return `w${i} AS (${sql})`;
  });
  // Rows, the group's together: the text is the same however many pieces queued them.
  inserts.forEach(({ insert, rows: given }, i) => {
    const sql = insert.sql(`jsonb_populate_recordset(NULL::${insert.table}, ${bind(JSON.stringify(given))}::jsonb) WITH ORDINALITY AS given`);
    if (!/^\s*INSERT\b/i.test(sql)) throw new Error(`rows are queued for an INSERT, but its statement is: ${sql.trim().slice(0, 60)}…`);
    if (insert.mustInsertAll && !/\bRETURNING\b/i.test(sql)) throw new Error(`${insert.table}: an insert that must insert every row must end in RETURNING`);
    parts.push(`i${i} AS (${sql})`);
  });
  // One-statement work hands its outbox rows and claims over as one JSON document each, read with
  // the table's row type: a text the same however many rows there are, each value serialized once
  // (bound as arrays, pg escaped every envelope's JSON into an array literal). A transaction's
  // final statement is never prepared (it varies with what it wrote), and there VALUES lists cost
  // less: decisions, 64 to a transaction, kept up with 976 a second against 807 with arrays, and
  // with 956–964 against 842–852 with JSON documents.
  if (rows.length > 0) {
    const from = oneStatementWork
      ? `SELECT given.message_id, given.topic, given.message_key, given.envelope, given.headers
          FROM jsonb_populate_recordset(NULL::${s}.outbox, ${bind(JSON.stringify(rows.map(({ topic, envelope, headers }) => ({ message_id: envelope.id, topic, message_key: envelope.subject, envelope, headers }))))}::jsonb)
               WITH ORDINALITY AS given
         ORDER BY given.ordinality`
      : `VALUES ${rows.map(({ topic, envelope, headers }) => `(${bind(envelope.id)}::uuid, ${bind(topic)}, ${bind(envelope.subject)}, ${bind(JSON.stringify(envelope))}::jsonb, ${bind(JSON.stringify(headers))}::jsonb)`).join(', ')}`;
    parts.push(`outbox AS (INSERT INTO ${s}.outbox (message_id, topic, message_key, envelope, headers) ${from})`);
  }
  answers.forEach((answer, i) => {
    parts.push(`answer${i} AS (UPDATE ${s}.inbox SET result = ${bind(answer.json)} WHERE consumer = ${bind(answer.consumer)} AND message_id = ${bind(answer.messageId)})`);
  });
  if (claims.length > 0) {
    // Each claim's result is JSON already: spliced in, not serialized again.
    const from = oneStatementWork
      ? `SELECT given.consumer, given.message_id, given.message_type, given.result
          FROM jsonb_populate_recordset(NULL::${s}.inbox, ${bind(`[${claims.map((c) => `{"consumer":${JSON.stringify(c.consumer)},"message_id":${JSON.stringify(c.messageId)},"message_type":${JSON.stringify(c.type)},"result":${c.json ?? 'null'}}`).join(',')}]`)}::jsonb) AS given`
      : `VALUES ${claims.map((claim) => `(${bind(claim.consumer)}, ${bind(claim.messageId)}::uuid, ${bind(claim.type)}, ${bind(claim.json)}::jsonb)`).join(', ')}`;
    parts.push(`claim AS (INSERT INTO ${s}.inbox (consumer, message_id, message_type, result) ${from} ON CONFLICT DO NOTHING RETURNING 1)`);
  }
  const refusals = [
    ...(claims.length > 0 ? [`WHEN (SELECT count(*) FROM claim) < ${bind(claims.length)}::bigint THEN ${bind(REFUSAL + ALREADY_HANDLED)}`] : []),
    ...writes.flatMap(({ mustChange }, i) => (mustChange ? [`WHEN NOT EXISTS (SELECT 1 FROM w${i}) THEN ${bind(REFUSAL + mustChange)}`] : [])),
    ...inserts.flatMap(({ insert, rows: given }, i) =>
      insert.mustInsertAll ? [`WHEN (SELECT count(*) FROM i${i}) < ${bind(given.length)}::bigint THEN ${bind(REFUSAL + insert.mustInsertAll)}`] : [],
    ),
  ];
  const check = refusals.length > 0 ? `(CASE ${refusals.join(' ')} ELSE '0' END)::int` : '0';
  try {
    // One-statement work has a text per handler (its rows are JSON documents), and a group of pieces that
    // wrote alike one per number of pieces (at most 64), so those are prepared. Groups of unlike
    // pieces are not: their texts, one per order of kinds, would soon use up the names a process
    // may prepare. A transaction's final statement varies with what it wrote.
    const prepared = oneStatementWork && (shapes === undefined || shapes.every((shape) => shape === shapes[0]));
    await manager.query(`${prepared ? PREPARED : ''}WITH ${parts.join(', ')} SELECT ${check} AS refused`, values);
  } catch (error) {
    const reason = refusalOf(error, [
      ALREADY_HANDLED,
      ...writes.flatMap((w) => (w.mustChange ? [w.mustChange] : [])),
      ...inserts.flatMap(({ insert }) => (insert.mustInsertAll ? [insert.mustInsertAll] : [])),
    ]);
    throw reason === undefined ? error : new NothingWritten(reason);
  }
}

/** The pieces' rows for each RowsInsert, in the order first queued. */
function mergedInserts(pieces: readonly Queued[]): QueuedRows[] {
  const merged = new Map<RowsInsert<object>, object[]>();
  for (const { insert, rows } of pieces.flatMap((p) => p.inserts)) {
    const into = merged.get(insert);
    if (into) into.push(...rows);
    else merged.set(insert, [...rows]);
  }
  return [...merged].map(([insert, rows]) => ({ insert, rows }));
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

/**
 * Runs work in one database transaction together with its outbox rows, then kicks the relay.
 * `consumeOnce` also records the incoming message id in the inbox in that same transaction,
 * so a redelivered message finds its id and has no second effect.
 */
export class UnitOfWork {
  private readonly schema: string;
  /** Work done in one statement, grouped: statements handed in together are written as one. */
  private readonly statements: GroupedWork<Queued, void>;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly relay?: OutboxRelay,
  ) {
    this.schema = assertSchemaName(schema);
    this.statements = new GroupedWork<Queued, void>(
      (group) => this.writeTogether(group),
      (one) => writeFinal(this.dataSource.manager, this.schema, [one]),
      { concurrency: 2, startAtOnce: true },
    );
  }

  /**
   * Commits, then publishes what the work outboxed before returning, so a consumer handles
   * its next message only after this one's events are out: per-key order holds. While a query
   * is answered they go out with its answer instead, before the consumer moves on (see gatherRiders).
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
    if (tx) await this.publish(tx.outboxed, tx.handles);
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
        `${PREPARED}INSERT INTO "${this.schema}".inbox (consumer, message_id, message_type) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [consumer, message.id, message.type],
      );
      if (inserted.length === 0) return { duplicate: true, previous: await this.previousResult<T>(tx.manager, consumer, message.id) };
      tx.handles.push(message.id);
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
        for (const { message, result } of handled) {
          tx.claims.push(claimOf(consumer, message, result));
          tx.handles.push(message.id);
        }
        return handled;
      });
    } catch (error) {
      if (error instanceof NothingWritten && error.reason === ALREADY_HANDLED) return undefined;
      throw error;
    }
  }

  /**
   * Work that reads nothing and only writes — queues events and final writes — done as one
   * statement, without BEGIN and COMMIT: one round trip where a transaction takes four or
   * five; and statements handed in while others are being written go in together, as one
   * (group commit: under load, one commit for many messages). So its final writes must be
   * INSERTs (the parts of one statement do not see each other's writes; anything else is
   * refused with an error). The message is claimed in that statement, so, as with
   * `claimAtCommit`, only for work whose every effect is in it. A message handled already is
   * answered as a duplicate with its first result; a final write with `mustChange` that changed
   * nothing throws NothingWritten with its reason (nothing of the statement is written either way).
   */
  async consumeInOneStatement<T>(consumer: string, message: Envelope, work: (writes: Writes) => Promise<T> | T): Promise<ConsumeResult<T>> {
    const statement = new Transaction(this.dataSource.manager, this.schema);
    const result = await work(statement);
    statement.claims.push(claimOf(consumer, message, result));
    try {
      await this.statements.submit({ ...statement.takeQueued(), insertsOnly: true });
    } catch (error) {
      if (error instanceof NothingWritten && error.reason === ALREADY_HANDLED) return { duplicate: true, previous: await this.previousResult<T>(this.dataSource.manager, consumer, message.id) };
      throw error;
    }
    await this.publish(statement.outboxed, [message.id]);
    return { duplicate: false, result };
  }

  /**
   * After commit: what the work outboxed goes out now, or — work that handled just the message
   * being answered — with its answer (see gatherRiders).
   */
  private async publish(outboxed: readonly CommittedMessage[], handles: readonly string[]): Promise<void> {
    const relay = this.relay;
    if (!relay || outboxed.length === 0) return;
    if (rideWithAnswer(handles, { relay, messages: outboxed })) return;
    await relay.publishCommitted(outboxed);
  }

  /**
   * Statements handed in together, as one: one commit (and WAL flush) for the group. If it is
   * refused — one message of it handled already, one write that had to change a row did not, one
   * row that had to be inserted was not — each is written alone, so only that one is refused.
   */
  private async writeTogether(group: readonly Queued[]): Promise<void[] | undefined> {
    try {
      await writeFinal(this.dataSource.manager, this.schema, group);
    } catch (error) {
      if (error instanceof NothingWritten) return undefined;
      throw error;
    }
    return group.map(() => undefined);
  }

  /**
   * Which of these messages were handled already, with what their work returned: a group
   * answers its redeliveries (after a rebalance, say) from here instead of being rolled back.
   */
  async handledBefore<T>(manager: EntityManager, consumer: string, messageIds: readonly string[]): Promise<Map<string, T | null>> {
    const rows: { message_id: string; result: T | null }[] = await manager.query(
      // A list of keys: planned each run (persistence's PREPARED says why).
      `SELECT message_id, result FROM "${this.schema}".inbox WHERE consumer = $1 AND message_id = ANY($2::uuid[])`,
      [consumer, messageIds],
    );
    return new Map(rows.map((row) => [row.message_id, row.result ?? null]));
  }

  private async previousResult<T>(manager: EntityManager, consumer: string, messageId: string): Promise<T | null> {
    return (await this.handledBefore<T>(manager, consumer, [messageId])).get(messageId.toLowerCase()) ?? null;
  }
}
