import { Injectable } from '@nestjs/common';
import type { AuditRecord, Envelope } from '@gatehouse/contracts';
import { PREPARED } from '@gatehouse/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import type { StoredRow } from '../stored-row';
import { binaryTextArray } from '../../pg-text-array';
import { buildAuditRecord, recordJson } from './audit-record';
import { factsAfter, factsChanged, type RequestFacts } from './ocsf-event';
import { RecentRecords } from './recent-records';

interface Pending {
  event: Envelope;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Head {
  seq: bigint;
  hash: string;
}

/** A group's records, built on a given head: everything the INSERT needs. */
interface BuiltGroup {
  on: Head;
  tail: Head;
  /** The records as stored (their text): what RecentRecords keeps once the group commits. */
  rows: StoredRow[];
  /** The records' ids, lower case (as PostgreSQL prints uuids). */
  ids: Set<string>;
  /** The facts of every request in the group after it (what the next group builds on). */
  factsAfter: Map<string, RequestFacts>;
  /** The rows column by column, in the order WRITE_GROUP unnests them, each a binary text[]. */
  columns: Buffer[];
  factsParam: string;
}

/** At most this many events a transaction. */
const MAX_BATCH = 1000;

/**
 * Appends events to the hash chain in groups: every event handed in while a group is being
 * written goes into the next one, so the chain head — which every group moves — is moved once
 * per group, not once per event (group commit). Each event's promise settles when its group
 * commits. A group is written optimistically (see appendGroup), under the head's lock when that
 * fails. Exactly once: an event whose record is already there (a redelivery) is passed over; the
 * record's unique id backs that up.
 *
 * Pipelined: while PostgreSQL writes one group, the next is built (canonical JSON, hashes) on
 * the tail the first will leave, with the facts it leaves. That build is written only if the head
 * is then exactly that tail — any other writer, or a failed group, moves it elsewhere — and is
 * otherwise built again under the lock.
 */
@Injectable()
export class ChainAppender {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly recent: RecentRecords,
  ) {}

  append(event: Envelope): Promise<void> {
    return this.appendAll([event]);
  }

  /** Appends these events, in this order; settles once all are in (rejects at the first group that fails). */
  appendAll(events: readonly Envelope[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let left = events.length;
      let failed = false;
      const done = () => {
        if (--left === 0 && !failed) resolve();
      };
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      for (const event of events) this.queue.push({ event, resolve: done, reject: fail });
      if (!this.running) {
        this.running = true;
        // Let the other handlers of this tick hand in theirs first.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      let group = this.queue.splice(0, MAX_BATCH);
      let speculation: Promise<BuiltGroup | undefined> | undefined;
      while (group.length > 0) {
        let next: Pending[] = [];
        let nextSpeculation: Promise<BuiltGroup | undefined> | undefined;
        try {
          const asBuilt = await this.appendGroup(
            group.map((p) => p.event),
            speculation,
            (built) => {
              next = this.queue.splice(0, MAX_BATCH);
              if (next.length > 0) nextSpeculation = this.speculate(next.map((p) => p.event), built);
            },
          );
          // Built on a tail that was not written: it could only fail, and the one after it too.
          if (!asBuilt) nextSpeculation = undefined;
          for (const p of group) p.resolve();
        } catch (error) {
          // Everything waiting fails with it, the next group too (nothing after a failed group
          // is written): a batch handed in at once spans groups, and a request's later events
          // must not be committed before its earlier ones. Each caller tries its events again
          // (those already recorded are passed over).
          for (const p of [...group, ...next, ...this.queue.splice(0)]) p.reject(error);
          next = [];
          nextSpeculation = undefined;
        }
        group = next.length > 0 ? next : this.queue.splice(0, MAX_BATCH);
        speculation = nextSpeculation;
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Appends one group, optimistically: built on the head as read (or as the group before it
   * left it: `speculated`) and written in one statement that moves the head only if it is still
   * that one — two round trips, or one when built ahead, where a transaction holding the head's
   * lock took four. The head moves with every group, so if it is unchanged nothing was committed
   * since what the build read. If it moved (another writer), or an event of the group turns out
   * recorded already (a redelivery), the group is appended again under the lock. `whileWriting`
   * is called once the group is built, so the caller can build the next group meanwhile. False
   * when what was written is not what was built then.
   */
  private async appendGroup(events: readonly Envelope[], speculated: Promise<BuiltGroup | undefined> | undefined, whileWriting: (built: BuiltGroup) => void): Promise<boolean> {
    let built = await speculated;
    if (!built) {
      const { head, recorded, facts } = await readHead(this.dataSource.manager, events, { lock: false });
      const fresh = withoutRecorded(events, recorded);
      if (fresh.length === 0) return true;
      built = buildGroup(fresh, head, facts);
    }
    whileWriting(built);
    if (await writeGroup(this.dataSource.manager, built, { ifHeadUnmoved: true })) {
      this.recent.add(built.rows);
      return true;
    }
    this.recent.add(await this.appendLocked(events));
    return false;
  }

  /** Appends one group holding the head's lock: what is recorded and the facts are read under it. */
  private appendLocked(events: readonly Envelope[]): Promise<StoredRow[]> {
    return this.dataSource.transaction(async (manager): Promise<StoredRow[]> => {
      // Under the lock, so no other appender can record one of these ids meanwhile: a record's
      // id is its event's, and an event already recorded (a redelivery) is passed over.
      const { head, recorded, facts } = await readHead(manager, events, { lock: true });
      const fresh = withoutRecorded(events, recorded);
      if (fresh.length === 0) return [];
      const built = buildGroup(fresh, head, facts);
      await writeGroup(manager, built, { ifHeadUnmoved: false });
      return built.rows;
    });
  }

  /**
   * Builds `events` on the tail `before` will leave: the requests it touched take its facts, the
   * others are read as they are now. Sound because it is written only if the head is then
   * `before`'s tail: `before` itself was written only if the head had not moved since it was
   * built, so no other group committed between this read and this group's write. Undefined when
   * it cannot (the group is then read and built afresh).
   */
  private async speculate(events: readonly Envelope[], before: BuiltGroup): Promise<BuiltGroup | undefined> {
    try {
      const fresh = withoutRecorded(events, before.ids);
      if (fresh.length === 0) return undefined;
      const unknown = [...new Set(fresh.map((e) => e.subject))].filter((s) => !before.factsAfter.has(s));
      const known = unknown.length > 0 ? await factsOf(this.dataSource.manager, unknown) : new Map<string, RequestFacts>();
      for (const [subject, facts] of before.factsAfter) known.set(subject, facts);
      return buildGroup(fresh, before.tail, known);
    } catch {
      return undefined;
    }
  }
}

/** The events not yet recorded, each once (ids compared as PostgreSQL prints uuids). */
function withoutRecorded(events: readonly Envelope[], recorded: Set<string>): Envelope[] {
  const seen = new Set(recorded);
  return events.filter((e) => {
    const id = e.id.toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * The chain head, which of these events are recorded already, and the facts of their requests,
 * in one statement (one snapshot). With `lock`, the head's lock is taken too; such a statement
 * reads with the snapshot it started with, which predates a group another appender committed
 * while this one waited for the lock; every group moves the head in the statement or transaction
 * that writes its records and facts, so when the head as the snapshot saw it is the head as
 * locked, nothing was committed in between and what it read is current; otherwise both are read
 * again, after the lock.
 */
async function readHead(manager: EntityManager, events: readonly Envelope[], { lock }: { lock: boolean }): Promise<{ head: Head; recorded: Set<string>; facts: Map<string, RequestFacts> }> {
  const ids = events.map((e) => e.id);
  const subjects = [...new Set(events.map((e) => e.subject))];
  // One event (the common case when idle) has its own text, prepared; several are a list of keys,
  // planned each run (see PREPARED: a generic plan made while request_facts was small scanned it
  // whole, ~20,000 rows a read by the end of a 500/s benchmark).
  const one = ids.length === 1;
  const [row] = (await manager.query(
    `${one ? PREPARED : ''}SELECT h.seq::text AS seq_text, h.hash, ${lock ? '(SELECT s.seq::text FROM audit.chain_head s WHERE s.id = 1)' : 'h.seq::text'} AS seen_seq,
            ARRAY(SELECT r.id::text FROM audit.records r WHERE ${one ? 'r.id = $1::uuid' : 'r.id = ANY($1::uuid[])'}) AS recorded,
            (SELECT json_agg(json_build_array(f.subject, f.facts)) FROM audit.request_facts f WHERE ${one ? 'f.subject = $2' : 'f.subject = ANY($2)'}) AS facts
       FROM audit.chain_head h WHERE h.id = 1${lock ? ' FOR UPDATE OF h' : ''}`,
    one ? [ids[0], subjects[0]] : [ids, subjects],
  )) as { seq_text: string; hash: string; seen_seq: string; recorded: string[]; facts: [string, RequestFacts][] | null }[];
  if (!row) throw new Error('audit.chain_head has no row: the audit-reporting migrations did not run');
  const head: Head = { seq: BigInt(row.seq_text), hash: row.hash };
  if (row.seen_seq !== row.seq_text) {
    const recorded = ((await manager.query(`SELECT id::text AS id FROM audit.records WHERE id = ANY($1::uuid[])`, [ids])) as { id: string }[]).map((r) => r.id);
    return { head, recorded: new Set(recorded), facts: await factsOf(manager, subjects) };
  }
  return { head, recorded: new Set(row.recorded), facts: new Map(row.facts ?? []) };
}

/** The group's records and facts, and the head moved to its tail: one statement. */
const WRITE_GROUP = (ifHeadUnmoved: boolean) => `${PREPARED}WITH moved AS (
    UPDATE audit.chain_head SET seq = $12, hash = $13 WHERE id = 1${ifHeadUnmoved ? ' AND seq = $14 AND hash = $15' : ''} RETURNING id
  ), recs AS (
    INSERT INTO audit.records (seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash)
    SELECT seq::bigint, id::uuid, type, subject, correlation_id::uuid, event_time::timestamptz, recorded_at::timestamptz, record::json, hash, previous_hash
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
           AS t(seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash)
     WHERE EXISTS (SELECT FROM moved)
  ), facts AS (
    INSERT INTO audit.request_facts (subject, facts, updated_seq)
    SELECT subject, facts, $12::bigint FROM jsonb_to_recordset($11::jsonb) AS f(subject text, facts jsonb)
     WHERE EXISTS (SELECT FROM moved)
    ON CONFLICT (subject) DO UPDATE SET facts = audit.request_facts.facts || EXCLUDED.facts, updated_seq = EXCLUDED.updated_seq
  )
  SELECT count(*)::int AS moved FROM moved`;
const WRITE_IF_HEAD_UNMOVED = WRITE_GROUP(true);
const WRITE_ON_HELD_HEAD = WRITE_GROUP(false);

/**
 * Writes a built group (text, then json, not jsonb: each record is stored as the canonical
 * text it was hashed from). With `ifHeadUnmoved`, only if the head is still the one it was built
 * on and none of its events is recorded: false if not, and nothing is written.
 */
async function writeGroup(manager: EntityManager, built: BuiltGroup, { ifHeadUnmoved }: { ifHeadUnmoved: boolean }): Promise<boolean> {
  const params = [...built.columns, built.factsParam, built.tail.seq.toString(), built.tail.hash];
  if (!ifHeadUnmoved) {
    await manager.query(WRITE_ON_HELD_HEAD, params);
    return true;
  }
  try {
    const [row] = (await manager.query(WRITE_IF_HEAD_UNMOVED, [...params, built.on.seq.toString(), built.on.hash])) as { moved: number }[];
    return row?.moved === 1;
  } catch (error) {
    // An event recorded since (or before, when built ahead): its id is taken.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  return code === '23505' || driverError?.code === '23505';
}

async function factsOf(manager: EntityManager, subjects: readonly string[]): Promise<Map<string, RequestFacts>> {
  const rows = (await manager.query(
    subjects.length === 1
      ? `${PREPARED}SELECT subject, facts FROM audit.request_facts WHERE subject = $1`
      : `SELECT subject, facts FROM audit.request_facts WHERE subject = ANY($1)`,
    subjects.length === 1 ? [subjects[0]] : [subjects],
  )) as { subject: string; facts: RequestFacts }[];
  return new Map(rows.map((r) => [r.subject, r.facts]));
}

/** The group's records chained on `head`, given what is known of each request before it. */
function buildGroup(events: readonly Envelope[], head: Head, known: ReadonlyMap<string, RequestFacts>): BuiltGroup {
  const after = new Map<string, RequestFacts>();
  const records: AuditRecord[] = [];
  let previous = head.hash;
  let sequence = head.seq;
  const now = new Date();
  for (const event of events) {
    const facts = after.get(event.subject) ?? known.get(event.subject) ?? {};
    sequence += 1n;
    const record = buildAuditRecord(event, previous, sequence, now, facts);
    records.push(record);
    previous = record.hash;
    after.set(event.subject, factsAfter(event, facts));
  }
  // Only what these events changed, merged into each row as it is (see factsChanged).
  const changes = [...after]
    .map(([subject, facts]) => ({ subject, facts: factsChanged(known.get(subject) ?? {}, facts) }))
    .filter((c) => Object.keys(c.facts).length > 0 || !known.has(c.subject));
  // Column by column as text arrays (cheap to build, and PostgreSQL copies the elements as they
  // are; each record is parsed once, cast to json), each record the JSON it was hashed from.
  const column = (value: (r: AuditRecord) => string) => binaryTextArray(records.map(value));
  const columns = [
    column((r) => r.sequence),
    column((r) => r.id),
    column((r) => r.type),
    column((r) => r.subject),
    column((r) => r.correlationid),
    column((r) => r.time),
    column((r) => r.recordedat),
    column(recordJson),
    column((r) => r.hash),
    column((r) => r.previoushash),
  ];
  // Only text outlives the build: the records' object trees die young.
  const rows = records.map((r) => ({ sequence: r.sequence, type: r.type, line: recordJson(r) }));
  const ids = new Set(records.map((r) => r.id.toLowerCase()));
  return { on: head, tail: { seq: sequence, hash: previous }, rows, ids, factsAfter: after, columns, factsParam: JSON.stringify(changes) };
}
