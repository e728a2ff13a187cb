import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { TestDatabase } from '@gatehouse/testing';
import { createEnvelope } from '../envelope-factory';
import { SCHEMA, setUpDatabase } from '../../test/messaging-fixture';
import { NothingWritten, UnitOfWork, type ConsumeOptions, type RowsInsert, type Transaction, type Writes } from './unit-of-work';
import { PREPARED } from './messaging-tables';

describe('UnitOfWork.consumeOnce on real PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let uow: UnitOfWork;

  beforeAll(async () => {
    ({ database, dataSource } = await setUpDatabase());
    await dataSource.query(`CREATE TABLE ${SCHEMA}.counters (id text PRIMARY KEY, value int NOT NULL)`);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.entries (seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, piece int NOT NULL, note jsonb)`);
    uow = new UnitOfWork(dataSource, SCHEMA);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const message = () =>
    createEnvelope('access.cancelled', randomUUID(), { requestId: randomUUID(), actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'test' });

  /** Reads the counter under a row lock, bumps it at commit, outboxes an event, answers the value seen. */
  const bump = (counter: string, command: ReturnType<typeof message>) => async (tx: Transaction) => {
    const [{ value }] = await tx.manager.query(`SELECT value FROM ${SCHEMA}.counters WHERE id = $1 FOR UPDATE`, [counter]);
    tx.atCommit((bind) => `UPDATE ${SCHEMA}.counters SET value = value + 1 WHERE id = ${bind(counter)}`);
    await tx.publish(createEnvelope('access.cancelled', command.subject, command.data, { source: 'test', causedBy: command }));
    return { seen: value as number };
  };

  const count = async (sql: string, params: unknown[]) => Number((await dataSource.query(sql, params))[0].n);

  for (const options of [{ claimAtCommit: true }, {}] as ConsumeOptions[]) {
    const mode = options.claimAtCommit ? 'claiming at commit' : 'claiming first';

    it(`${mode}: 12 deliveries of one message at once have one effect, and every duplicate gets the first answer`, async () => {
      const counter = randomUUID();
      await dataSource.query(`INSERT INTO ${SCHEMA}.counters VALUES ($1, 0)`, [counter]);
      const command = message();
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => uow.consumeOnce('test', command, bump(counter, command), options)));

      expect(outcomes.filter((o) => !o.duplicate)).toEqual([{ duplicate: false, result: { seen: 0 } }]);
      expect(outcomes.filter((o) => o.duplicate)).toEqual(Array(11).fill({ duplicate: true, previous: { seen: 0 } }));
      expect(await count(`SELECT value AS n FROM ${SCHEMA}.counters WHERE id = $1`, [counter])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.outbox WHERE message_key = $1`, [command.subject])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.inbox WHERE message_id = $1`, [command.id])).toBe(1);
    });

    it(`${mode}: work that fails leaves nothing behind, so the message can be handled again`, async () => {
      const counter = randomUUID();
      await dataSource.query(`INSERT INTO ${SCHEMA}.counters VALUES ($1, 0)`, [counter]);
      const command = message();
      await expect(
        uow.consumeOnce(
          'test',
          command,
          async (tx) => {
            await bump(counter, command)(tx);
            throw new Error('Okta said no');
          },
          options,
        ),
      ).rejects.toThrow('Okta said no');
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.inbox WHERE message_id = $1`, [command.id])).toBe(0);
      expect(await uow.consumeOnce('test', command, bump(counter, command), options)).toEqual({ duplicate: false, result: { seen: 0 } });
      expect(await count(`SELECT value AS n FROM ${SCHEMA}.counters WHERE id = $1`, [counter])).toBe(1);
    });
  }

  it('consumeTogether: several messages in one transaction, each claimed; one handled already and nothing is committed', async () => {
    const counters = [randomUUID(), randomUUID(), randomUUID()];
    for (const counter of counters) await dataSource.query(`INSERT INTO ${SCHEMA}.counters VALUES ($1, 0)`, [counter]);
    const commands = counters.map(() => message());
    const handleAll = (which: readonly number[]) => async (tx: Transaction) => {
      const handled = [];
      for (const i of which) handled.push({ message: commands[i], result: await bump(counters[i], commands[i])(tx) });
      return handled;
    };

    const together = await uow.consumeTogether('test', handleAll([0, 1]));
    expect(together?.map((h) => [h.message.id, h.result])).toEqual([
      [commands[0].id, { seen: 0 }],
      [commands[1].id, { seen: 0 }],
    ]);
    // One transaction: the two inbox rows were written by the same one.
    expect(await count(`SELECT count(DISTINCT xmin::text) AS n FROM ${SCHEMA}.inbox WHERE message_id = ANY($1)`, [[commands[0].id, commands[1].id]])).toBe(1);

    // Message 1 again, with message 2: nothing of the group is committed; done one by one, 1 is a duplicate.
    expect(await uow.consumeTogether('test', handleAll([1, 2]))).toBeUndefined();
    expect(await count(`SELECT value AS n FROM ${SCHEMA}.counters WHERE id = $1`, [counters[1]])).toBe(1);
    expect(await count(`SELECT value AS n FROM ${SCHEMA}.counters WHERE id = $1`, [counters[2]])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.outbox WHERE message_key = $1`, [commands[2].subject])).toBe(0);
    expect(await uow.consumeOnce('test', commands[1], bump(counters[1], commands[1]), { claimAtCommit: true })).toEqual({ duplicate: true, previous: { seen: 0 } });
    expect(await uow.consumeOnce('test', commands[2], bump(counters[2], commands[2]), { claimAtCommit: true })).toEqual({ duplicate: false, result: { seen: 0 } });
    expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.inbox WHERE message_id = ANY($1)`, [commands.map((c) => c.id)])).toBe(3);
    // What a group reads to answer redeliveries: each handled message with its first answer.
    const earlier = await uow.handledBefore<{ seen: number }>(dataSource.manager, 'test', [commands[0].id, randomUUID(), commands[2].id]);
    expect(Object.fromEntries(earlier)).toEqual({ [commands[0].id]: { seen: 0 }, [commands[2].id]: { seen: 0 } });
  });

  describe('consumeInOneStatement: work that only writes, as one statement without BEGIN and COMMIT', () => {
    /** Inserts a counter (it must not exist yet) and outboxes an event; answers the counter's id. */
    const create = (counter: string, command: ReturnType<typeof message>) => async (writes: Writes) => {
      writes.atCommit((bind) => `INSERT INTO ${SCHEMA}.counters VALUES (${bind(counter)}, 1) ON CONFLICT (id) DO NOTHING RETURNING id`, { mustChange: 'counter exists' });
      await writes.publish(createEnvelope('access.cancelled', command.subject, command.data, { source: 'test', causedBy: command }));
      return { created: counter };
    };

    it('writes the counter, the event and the inbox row in one statement: one transaction, not BEGIN … COMMIT', async () => {
      const counter = randomUUID();
      const command = message();
      expect(await uow.consumeInOneStatement('test', command, create(counter, command))).toEqual({ duplicate: false, result: { created: counter } });
      const [row] = await dataSource.query(
        `SELECT c.xmin::text AS counter, o.xmin::text AS outbox, i.xmin::text AS inbox FROM ${SCHEMA}.counters c, ${SCHEMA}.outbox o, ${SCHEMA}.inbox i WHERE c.id = $1 AND o.message_key = $2 AND i.message_id = $3`,
        [counter, command.subject, command.id],
      );
      expect(row.counter).toBe(row.outbox);
      expect(row.inbox).toBe(row.outbox);
      // One round trip, no transaction opened around it: a statement on a pooled connection.
      const statements = jest.spyOn(dataSource.manager, 'query');
      const transactions = jest.spyOn(dataSource, 'transaction');
      try {
        const another = randomUUID();
        await uow.consumeInOneStatement('test', message(), async (writes) => {
          writes.atCommit((bind) => `INSERT INTO ${SCHEMA}.counters VALUES (${bind(another)}, 2)`);
        });
        expect(statements).toHaveBeenCalledTimes(1);
        expect(transactions).not.toHaveBeenCalled();
        expect(await count(`SELECT value AS n FROM ${SCHEMA}.counters WHERE id = $1`, [another])).toBe(2);
      } finally {
        statements.mockRestore();
        transactions.mockRestore();
      }
      // Pieces written together cannot see each other's writes, so only INSERTs are taken.
      const updating = message();
      await expect(
        uow.consumeInOneStatement('test', updating, (writes) => writes.atCommit((bind) => `UPDATE ${SCHEMA}.counters SET value = value + 1 WHERE id = ${bind(counter)}`)),
      ).rejects.toThrow('work done in one statement may only insert');
      expect(await count(`SELECT value AS n FROM ${SCHEMA}.counters WHERE id = $1`, [counter])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.inbox WHERE message_id = $1`, [updating.id])).toBe(0);
    });

    it('has one statement text however many events a piece outboxes (it can be prepared), and keeps their order', async () => {
      const statements = jest.spyOn(dataSource.manager, 'query');
      try {
        const texts: string[] = [];
        for (const events of [1, 5]) {
          const command = message();
          const published = Array.from({ length: events }, () => createEnvelope('access.cancelled', command.subject, command.data, { source: 'test', causedBy: command }));
          await uow.consumeInOneStatement('test', command, async (writes) => {
            for (const event of published) await writes.publish(event);
          });
          texts.push(String(statements.mock.calls.at(-1)?.[0]));
          const rows: { id: string }[] = await dataSource.query(`SELECT message_id::text AS id FROM ${SCHEMA}.outbox WHERE message_key = $1 ORDER BY seq`, [command.subject]);
          expect(rows.map((r) => r.id)).toEqual(published.map((e) => e.id));
        }
        expect(texts[1]).toBe(texts[0]);
      } finally {
        statements.mockRestore();
      }
    });

    it('prepares a group of pieces that wrote alike, not a group of unlike ones (their texts would use up the names)', async () => {
      const statements = jest.spyOn(dataSource.manager, 'query');
      try {
        const together = async (unlike: boolean) => {
          statements.mockClear();
          await Promise.all(
            Array.from({ length: 20 }, () => message()).map((command, i) =>
              uow.consumeInOneStatement('test', command, async (writes) => {
                writes.atCommit((bind) => (unlike && i % 2 ? `INSERT INTO ${SCHEMA}.counters (id, value) VALUES (${bind(randomUUID())}, 2)` : `INSERT INTO ${SCHEMA}.counters VALUES (${bind(randomUUID())}, 1)`));
              }),
            ),
          );
          // The statements that wrote several pieces (a group has a second write part).
          return statements.mock.calls.map(([text]) => String(text)).filter((text) => text.includes('w1 AS'));
        };
        const alike = await together(false);
        expect(alike.length).toBeGreaterThan(0);
        expect(alike.every((text) => text.startsWith(PREPARED))).toBe(true);
        const unlike = await together(true);
        expect(unlike.length).toBeGreaterThan(0);
        expect(unlike.some((text) => text.startsWith(PREPARED))).toBe(false);
      } finally {
        statements.mockRestore();
      }
    });

    it('12 deliveries of one message at once: one effect, every duplicate answered with the first result', async () => {
      const command = message();
      const counters = Array.from({ length: 12 }, () => randomUUID());
      const outcomes = await Promise.all(counters.map((counter) => uow.consumeInOneStatement('test', command, create(counter, command))));
      const first = outcomes.filter((o) => !o.duplicate);
      expect(first).toHaveLength(1);
      const created = (first[0] as { result: { created: string } }).result.created;
      expect(outcomes.filter((o) => o.duplicate)).toEqual(Array(11).fill({ duplicate: true, previous: { created } }));
      // The duplicates' writes were refused with their statement: one counter, one event.
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.counters WHERE id = ANY($1)`, [counters])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.outbox WHERE message_key = $1`, [command.subject])).toBe(1);
    });

    it('statements handed in together are written as one; one refused in a group does not refuse the others', async () => {
      const commands = Array.from({ length: 20 }, () => message());
      const counters = commands.map(() => randomUUID());
      const outcomes = await Promise.all(commands.map((command, i) => uow.consumeInOneStatement('test', command, create(counters[i] as string, command))));
      expect(outcomes.every((o) => !o.duplicate)).toBe(true);
      // Fewer transactions than statements: the counters share transaction ids.
      expect(await count(`SELECT count(DISTINCT xmin::text) AS n FROM ${SCHEMA}.counters WHERE id = ANY($1)`, [counters])).toBeLessThan(20);

      // Again, with one counter that exists already among them: that one alone is refused.
      const taken = randomUUID();
      await dataSource.query(`INSERT INTO ${SCHEMA}.counters VALUES ($1, 7)`, [taken]);
      const more = Array.from({ length: 20 }, () => message());
      const ids = more.map((_, i) => (i === 10 ? taken : randomUUID()));
      const settled = await Promise.allSettled(more.map((command, i) => uow.consumeInOneStatement('test', command, create(ids[i] as string, command))));
      expect(settled.map((o) => o.status)).toEqual(more.map((_, i) => (i === 10 ? 'rejected' : 'fulfilled')));
      expect(((settled[10] as PromiseRejectedResult).reason as NothingWritten).reason).toBe('counter exists');
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.counters WHERE id = ANY($1) AND value = 1`, [ids])).toBe(19);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.inbox WHERE message_id = ANY($1)`, [more.map((c) => c.id)])).toBe(19);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.outbox WHERE message_key = ANY($1)`, [more.map((c) => c.subject)])).toBe(19);
    });

    describe('rows queued for one RowsInsert', () => {
      const ENTRIES: RowsInsert<{ id: string; piece: number; note: object | null }> = {
        table: `${SCHEMA}.entries`,
        sql: (given) => `INSERT INTO ${SCHEMA}.entries (id, piece, note) SELECT given.id, given.piece, given.note FROM ${given} ORDER BY given.ordinality ON CONFLICT (id) DO NOTHING RETURNING 1`,
        mustInsertAll: 'entry exists',
      };
      /** Each piece queues two entries; their ids are `${id}/a` and `${id}/b`. */
      const entries = (ids: readonly string[]) => {
        const statements = jest.spyOn(dataSource.manager, 'query');
        const texts: string[] = [];
        const settled = Promise.allSettled(
          ids.map((id, piece) =>
            uow.consumeInOneStatement('test', message(), (writes) => writes.insertRows(ENTRIES, [{ id: `${id}/a`, piece, note: { piece, of: ids.length } }, { id: `${id}/b`, piece, note: null }])),
          ),
        ).finally(() => {
          texts.push(...statements.mock.calls.map(([text]) => String(text)));
          statements.mockRestore();
        });
        return { settled, texts };
      };

      it("are one INSERT for a group's pieces, in the order queued; the text is the same for any number of pieces, so it is prepared", async () => {
        const ids = Array.from({ length: 20 }, () => randomUUID());
        const { settled, texts } = entries(ids);
        expect((await settled).every((o) => o.status === 'fulfilled')).toBe(true);
        // Fewer statements than pieces, each with one INSERT of entries however many pieces it wrote.
        expect(texts.length).toBeGreaterThan(0);
        expect(texts.length).toBeLessThan(20);
        expect(texts.every((text) => text.match(/INSERT INTO \S+\.entries/g)?.length === 1)).toBe(true);
        expect(texts.every((text) => text.startsWith(PREPARED))).toBe(true);
        expect(new Set(texts).size).toBe(1);
        const rows: { id: string; piece: number; note: unknown; null_note: boolean; statement: string }[] = await dataSource.query(
          `SELECT id, piece, note, note IS NULL AS null_note, xmin::text AS statement FROM ${SCHEMA}.entries WHERE split_part(id, '/', 1) = ANY($1) ORDER BY seq`,
          [ids],
        );
        expect(rows).toHaveLength(40);
        // Within each statement (two run at once, so their ids interleave): its pieces in the
        // order handed in, each piece's rows in the order it gave them.
        const byStatement = new Map<string, typeof rows>();
        for (const row of rows) byStatement.set(row.statement, [...(byStatement.get(row.statement) ?? []), row]);
        expect(byStatement.size).toBeLessThan(20);
        for (const group of byStatement.values()) {
          const pieces = [...new Set(group.map((r) => r.piece))];
          expect(pieces).toEqual([...pieces].sort((a, b) => a - b));
          expect(group.map((r) => r.id)).toEqual(pieces.flatMap((piece) => [`${ids[piece]}/a`, `${ids[piece]}/b`]));
        }
        const first = rows.filter((r) => r.piece === 0);
        expect(first.map(({ note, null_note }) => ({ note, null_note }))).toEqual([
          { note: { piece: 0, of: 20 }, null_note: false },
          // A JSON null is SQL NULL, in a jsonb column too.
          { note: null, null_note: true },
        ]);
      });

      it('an insert that must insert every row but returns none is refused before anything is sent', async () => {
        const command = message();
        const blind: RowsInsert<{ id: string; piece: number }> = { ...ENTRIES, sql: (given) => `INSERT INTO ${SCHEMA}.entries (id, piece) SELECT given.id, given.piece FROM ${given}` };
        await expect(uow.consumeInOneStatement('test', command, (writes) => writes.insertRows(blind, [{ id: randomUUID(), piece: 0 }]))).rejects.toThrow('must end in RETURNING');
        expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.inbox WHERE message_id = $1`, [command.id])).toBe(0);
      });

      it('one piece whose row is taken is refused alone, with the reason; the others are written', async () => {
        const taken = randomUUID();
        await dataSource.query(`INSERT INTO ${SCHEMA}.entries (id, piece) VALUES ($1, -1)`, [`${taken}/b`]);
        const ids = Array.from({ length: 20 }, (_, i) => (i === 7 ? taken : randomUUID()));
        const settled = await entries(ids).settled;
        expect(settled.map((o) => o.status)).toEqual(ids.map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
        expect(((settled[7] as PromiseRejectedResult).reason as NothingWritten).reason).toBe('entry exists');
        expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.entries WHERE split_part(id, '/', 1) = ANY($1) AND piece >= 0`, [ids])).toBe(38);
        expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.entries WHERE id = $1`, [`${taken}/a`])).toBe(0);
      });
    });

    it('a write that must change a row and changes none: nothing written, the message not claimed, the reason given', async () => {
      const counter = randomUUID();
      await dataSource.query(`INSERT INTO ${SCHEMA}.counters VALUES ($1, 7)`, [counter]);
      const command = message();
      const refused = await uow.consumeInOneStatement('test', command, create(counter, command)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(NothingWritten);
      expect((refused as NothingWritten).reason).toBe('counter exists');
      expect(await count(`SELECT value AS n FROM ${SCHEMA}.counters WHERE id = $1`, [counter])).toBe(7);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.outbox WHERE message_key = $1`, [command.subject])).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM ${SCHEMA}.inbox WHERE message_id = $1`, [command.id])).toBe(0);
    });
  });
});
