import { Injectable } from '@nestjs/common';
import type { AuditRecord, Envelope } from '@gatehouse/contracts';
import { PREPARED } from '@gatehouse/persistence';
import { DataSource, type EntityManager } from 'typeorm';
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
  records: AuditRecord[];
  /** The facts of every request in the group after it (what the next group builds on). */
  factsAfter: Map<string, RequestFacts>;
  recordsParam: string;
  factsParam: string;
}

/** At most this many events a transaction. */
const MAX_BATCH = 1000;

/**
 * Appends events to the hash chain in groups: every event handed in while a transaction is
 * under way goes into the next one, so the chain head — the one lock every record takes — is
 * taken once per group, not once per event (group commit). Each event's promise settles when its
 * group commits. Exactly once: under the head lock, an event whose record is already there (a
 * redelivery) is passed over; the record's unique id backs that up.
 *
 * Pipelined: while PostgreSQL writes one group, the next is built (canonical JSON, hashes) on
 * the tail the first will leave, with the facts it leaves. That build is used only if, once the
 * next transaction holds the lock, the head is exactly that tail and none of its events has been
 * recorded meanwhile — any other writer, or a failed group, changes the head — and is otherwise
 * built again under the lock.
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
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
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
          await this.appendGroup(
            group.map((p) => p.event),
            speculation,
            (built) => {
              next = this.queue.splice(0, MAX_BATCH);
              if (next.length > 0) nextSpeculation = this.speculate(next.map((p) => p.event), built);
            },
          );
          for (const p of group) p.resolve();
        } catch (error) {
          // Each handler fails and its message is retried by the consumer, in a later group.
          for (const p of group) p.reject(error);
        }
        group = next.length > 0 ? next : this.queue.splice(0, MAX_BATCH);
        speculation = nextSpeculation;
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Appends one group. `speculated` is its build on the tail the group before will have left;
   * `whileWriting` is called once the group is built and the head is held, so the caller can
   * build the next group meanwhile.
   */
  private async appendGroup(events: readonly Envelope[], speculated: Promise<BuiltGroup | undefined> | undefined, whileWriting: (built: BuiltGroup) => void): Promise<void> {
    const committed = await this.dataSource.transaction(async (manager): Promise<AuditRecord[]> => {
      const ids = events.map((e) => e.id);
      const subjects = [...new Set(events.map((e) => e.subject))];
      // Under the lock, so no other appender can record one of these ids meanwhile: a record's
      // id is its event's, and an event already recorded (a redelivery) is passed over.
      const { head, recorded, facts } = await holdHead(manager, ids, speculated ? undefined : subjects);
      let built = await speculated;
      const stillHolds = built && built.on.seq === head.seq && built.on.hash === head.hash && !built.records.some((r) => recorded.has(r.id.toLowerCase()));
      if (!built || !stillHolds) {
        const fresh = withoutRecorded(events, recorded);
        if (fresh.length === 0) return [];
        // Read after the lock: whatever another group committed for these requests is seen.
        built = buildGroup(fresh, head, facts ?? (await factsOf(manager, [...new Set(fresh.map((e) => e.subject))])));
      }
      whileWriting(built);
      // json, not jsonb, all the way: each record is stored as the canonical text it was hashed from.
      await manager.query(
        `${PREPARED}WITH recs AS (
           INSERT INTO audit.records (seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash)
           SELECT seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash
             FROM json_to_recordset($1::json)
                  AS t(seq bigint, id uuid, type text, subject text, correlation_id uuid, event_time timestamptz, recorded_at timestamptz, record json, hash text, previous_hash text)
         ), facts AS (
           INSERT INTO audit.request_facts (subject, facts, updated_seq)
           SELECT subject, facts, $3::bigint FROM jsonb_to_recordset($2::jsonb) AS f(subject text, facts jsonb)
           ON CONFLICT (subject) DO UPDATE SET facts = audit.request_facts.facts || EXCLUDED.facts, updated_seq = EXCLUDED.updated_seq
         )
         UPDATE audit.chain_head SET seq = $3, hash = $4 WHERE id = 1`,
        [built.recordsParam, built.factsParam, built.tail.seq.toString(), built.tail.hash],
      );
      return built.records;
    });
    this.recent.add(committed);
  }

  /**
   * Builds `events` on the tail `before` will leave. Called while `before`'s transaction holds
   * the head, so nothing but `before` can change the facts until then: the requests it touched
   * take its facts, the others are read as they are. Undefined when it cannot (the group is then
   * built under its own lock).
   */
  private async speculate(events: readonly Envelope[], before: BuiltGroup): Promise<BuiltGroup | undefined> {
    try {
      const fresh = withoutRecorded(events, new Set(before.records.map((r) => r.id.toLowerCase())));
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
 * Takes the chain head's lock and reads, in the same statement, which of these events are
 * recorded already and (when asked) the facts of these requests. One statement reads with the
 * snapshot it started with, which predates a group another appender committed while this one
 * waited for the lock; every group moves the head in the transaction that writes its records and
 * facts, so when the head as the snapshot saw it is the head as locked, nothing was committed in
 * between and what it read is current; otherwise both are read again, after the lock.
 */
async function holdHead(manager: EntityManager, ids: readonly string[], subjects: readonly string[] | undefined): Promise<{ head: Head; recorded: Set<string>; facts?: Map<string, RequestFacts> }> {
  // One event (the common case when idle) has its own text: PostgreSQL keeps planning the
  // array form afresh for arrays of one, where a text without arrays gets one generic plan.
  const one = ids.length === 1 && (!subjects || subjects.length === 1);
  const idIs = one ? 'r.id = $1::uuid' : 'r.id = ANY($1::uuid[])';
  const subjectIs = one ? 'f.subject = $2' : 'f.subject = ANY($2)';
  const [row] = (await manager.query(
    `${PREPARED}SELECT h.seq::text AS seq_text, h.hash, (SELECT s.seq::text FROM audit.chain_head s WHERE s.id = 1) AS seen_seq,
            ARRAY(SELECT r.id::text FROM audit.records r WHERE ${idIs}) AS recorded,
            ${subjects ? `(SELECT json_agg(json_build_array(f.subject, f.facts)) FROM audit.request_facts f WHERE ${subjectIs})` : 'NULL'} AS facts
       FROM audit.chain_head h WHERE h.id = 1 FOR UPDATE OF h`,
    one ? (subjects ? [ids[0], subjects[0]] : [ids[0]]) : subjects ? [ids, subjects] : [ids],
  )) as { seq_text: string; hash: string; seen_seq: string; recorded: string[]; facts: [string, RequestFacts][] | null }[];
  if (!row) throw new Error('audit.chain_head has no row: the audit-reporting migrations did not run');
  const head: Head = { seq: BigInt(row.seq_text), hash: row.hash };
  if (row.seen_seq !== row.seq_text) {
    const recorded = ((await manager.query(`${PREPARED}SELECT id::text AS id FROM audit.records WHERE id = ANY($1::uuid[])`, [ids])) as { id: string }[]).map((r) => r.id);
    return { head, recorded: new Set(recorded), facts: subjects ? await factsOf(manager, subjects) : undefined };
  }
  return { head, recorded: new Set(row.recorded), facts: subjects ? new Map(row.facts ?? []) : undefined };
}

async function factsOf(manager: EntityManager, subjects: readonly string[]): Promise<Map<string, RequestFacts>> {
  const rows = (await manager.query(
    subjects.length === 1
      ? `${PREPARED}SELECT subject, facts FROM audit.request_facts WHERE subject = $1`
      : `${PREPARED}SELECT subject, facts FROM audit.request_facts WHERE subject = ANY($1)`,
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
  // One JSON parameter for all the rows (cheaper to build and to send than ten arrays), put
  // together from each record's JSON as it was hashed rather than serialising it again.
  const q = JSON.stringify;
  const rows = records.map(
    (r) =>
      `{"seq":${r.sequence},"id":${q(r.id)},"type":${q(r.type)},"subject":${q(r.subject)},"correlation_id":${q(r.correlationid)},"event_time":${q(r.time)},"recorded_at":${q(r.recordedat)},"hash":"${r.hash}","previous_hash":"${r.previoushash}","record":${recordJson(r)}}`,
  );
  return { on: head, tail: { seq: sequence, hash: previous }, records, factsAfter: after, recordsParam: `[${rows.join(',')}]`, factsParam: JSON.stringify(changes) };
}
