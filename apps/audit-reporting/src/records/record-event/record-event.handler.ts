import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACCESS_EVENT_TYPES, AUDITED_PROVISIONING_EVENT_TYPES, AUDITED_SLACK_EVENT_TYPES, type Envelope } from '@gatehouse/contracts';
import { UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { buildAuditRecord } from './audit-record';
import { factsAfter, factsChanged, type RequestFacts } from './ocsf-event';

/** Every access event (and the provisioning and Slack reports that belong with them) becomes one audit record, appended to the hash chain exactly once. */
@Controller()
export class RecordEventHandler {
  constructor(@Inject(UnitOfWork) private readonly uow: UnitOfWork) {}

  @EventPattern([...ACCESS_EVENT_TYPES, ...AUDITED_PROVISIONING_EVENT_TYPES, ...AUDITED_SLACK_EVENT_TYPES])
  async record(@Payload() event: Envelope): Promise<void> {
    // Every effect is in this transaction, so the inbox claim rides on the final statement,
    // and the chain head (the one lock every record takes) is held for two round trips, not four.
    await this.uow.consumeOnce(
      SERVICE,
      event,
      async (tx) => {
        // The chain head and what earlier records said of this request, in one round trip.
        const [head]: { seq: string; hash: string; facts: RequestFacts | null }[] = await tx.manager.query(
          `SELECT h.seq, h.hash, f.facts FROM audit.chain_head h LEFT JOIN audit.request_facts f ON f.subject = $1 WHERE h.id = 1 FOR UPDATE OF h`,
          [event.subject],
        );
        if (!head) throw new Error('audit.chain_head has no row: the audit-reporting migrations did not run');
        const sequence = (BigInt(head.seq) + 1n).toString();
        const facts = head.facts ?? {};
        const record = buildAuditRecord(event, head.hash, BigInt(sequence), new Date(), facts);
        // Only what this event changed, merged into the row as it is then: the status is changed
        // only by the request's own events (one at a time, in order), while provisioning's and
        // slack-bot's reports on the same request, from other topics, may be appended alongside.
        const changed = JSON.stringify(factsChanged(facts, factsAfter(event, facts)));
        tx.atCommit(
          (bind) =>
            `INSERT INTO audit.request_facts (subject, facts, updated_seq) VALUES (${bind(event.subject)}, ${bind(changed)}, ${bind(sequence)})
             ON CONFLICT (subject) DO UPDATE SET facts = audit.request_facts.facts || EXCLUDED.facts, updated_seq = EXCLUDED.updated_seq`,
        );
        tx.atCommit(
          (bind) =>
            `INSERT INTO audit.records (seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash)
             VALUES (${[sequence, record.id, record.type, record.subject, record.correlationid, record.time, record.recordedat, JSON.stringify(record), record.hash, record.previoushash].map(bind).join(', ')})`,
        );
        tx.atCommit((bind) => `UPDATE audit.chain_head SET seq = ${bind(sequence)}, hash = ${bind(record.hash)} WHERE id = 1`);
      },
      { claimAtCommit: true },
    );
  }
}
