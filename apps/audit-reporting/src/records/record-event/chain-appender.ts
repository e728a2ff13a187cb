import { Injectable } from '@nestjs/common';
import type { AuditRecord, Envelope } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';
import { SCHEMA, SERVICE } from '../../config';
import { buildAuditRecord } from './audit-record';
import { factsAfter, factsChanged, type RequestFacts } from './ocsf-event';
import { RecentRecords } from './recent-records';

interface Pending {
  event: Envelope;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** At most this many events a transaction. */
const MAX_BATCH = 1000;

/**
 * Appends events to the hash chain in groups: every event handed in while a transaction is
 * under way goes into the next one, so the chain head — the one lock every record takes — is
 * taken once per group, not once per event (group commit). Each event's promise settles when its
 * group commits. Exactly once: the group's inbox rows are claimed in the same transaction, and
 * an event already recorded (a redelivery) is passed over.
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
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_BATCH);
        try {
          await this.appendGroup(group.map((p) => p.event));
          for (const p of group) p.resolve();
        } catch (error) {
          // Each handler fails and its message is retried by the consumer, in a later group.
          for (const p of group) p.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async appendGroup(events: readonly Envelope[]): Promise<void> {
    const committed = await this.dataSource.transaction(async (manager): Promise<AuditRecord[]> => {
      // Claim first: the ids already recorded (redeliveries) come back missing.
      const claimed = new Set(
        (
          (await manager.query(
            `INSERT INTO ${SCHEMA}.inbox (consumer, message_id, message_type)
             SELECT $1, id, type FROM unnest($2::uuid[], $3::text[]) AS t(id, type)
             ON CONFLICT DO NOTHING RETURNING message_id::text AS id`,
            [SERVICE, events.map((e) => e.id), events.map((e) => e.type)],
          )) as { id: string }[]
        ).map((r) => r.id),
      );
      const fresh = events.filter((e) => claimed.delete(e.id));
      if (fresh.length === 0) return [];
      const [head] = (await manager.query(`SELECT seq::text AS seq_text, hash FROM audit.chain_head WHERE id = 1 FOR UPDATE`)) as { seq_text: string; hash: string }[];
      if (!head) throw new Error('audit.chain_head has no row: the audit-reporting migrations did not run');
      // Read after the lock: whatever another group committed for these requests is seen.
      const subjects = [...new Set(fresh.map((e) => e.subject))];
      const known = new Map<string, RequestFacts>(
        ((await manager.query(`SELECT subject, facts FROM audit.request_facts WHERE subject = ANY($1)`, [subjects])) as { subject: string; facts: RequestFacts }[]).map((r) => [r.subject, r.facts]),
      );
      const before = new Map(known);
      const records: AuditRecord[] = [];
      let previous = head.hash;
      let sequence = BigInt(head.seq_text);
      const now = new Date();
      for (const event of fresh) {
        const facts = known.get(event.subject) ?? {};
        sequence += 1n;
        const record = buildAuditRecord(event, previous, sequence, now, facts);
        records.push(record);
        previous = record.hash;
        known.set(event.subject, factsAfter(event, facts));
      }
      // Only what these events changed, merged into each row as it is (see factsChanged).
      const changes = subjects
        .map((subject) => ({ subject, changed: factsChanged(before.get(subject) ?? {}, known.get(subject) ?? {}) }))
        .filter((c) => Object.keys(c.changed).length > 0 || !before.has(c.subject));
      // One JSON parameter for all the rows: cheaper to build and to send than ten arrays.
      const rows = records.map((r) => ({
        seq: r.sequence,
        id: r.id,
        type: r.type,
        subject: r.subject,
        correlation_id: r.correlationid,
        event_time: r.time,
        recorded_at: r.recordedat,
        record: r,
        hash: r.hash,
        previous_hash: r.previoushash,
      }));
      await manager.query(
        `WITH recs AS (
           INSERT INTO audit.records (seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash)
           SELECT seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash
             FROM jsonb_to_recordset($1::jsonb)
                  AS t(seq bigint, id uuid, type text, subject text, correlation_id uuid, event_time timestamptz, recorded_at timestamptz, record jsonb, hash text, previous_hash text)
         ), facts AS (
           INSERT INTO audit.request_facts (subject, facts, updated_seq)
           SELECT subject, facts, $3::bigint FROM jsonb_to_recordset($2::jsonb) AS f(subject text, facts jsonb)
           ON CONFLICT (subject) DO UPDATE SET facts = audit.request_facts.facts || EXCLUDED.facts, updated_seq = EXCLUDED.updated_seq
         )
         UPDATE audit.chain_head SET seq = $3, hash = $4 WHERE id = 1`,
        [JSON.stringify(rows), JSON.stringify(changes.map((c) => ({ subject: c.subject, facts: c.changed }))), sequence.toString(), previous],
      );
      return records;
    });
    this.recent.add(committed);
  }
}
