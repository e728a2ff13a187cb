import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACCESS_EVENT_TYPES, AUDITED_PROVISIONING_EVENT_TYPES, AUDITED_SLACK_EVENT_TYPES, type Envelope } from '@gatehouse/contracts';
import { UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { buildAuditRecord } from './audit-record';

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
        const [head] = await tx.manager.query(`SELECT seq, hash FROM audit.chain_head WHERE id = 1 FOR UPDATE`);
        const sequence = (BigInt(head.seq) + 1n).toString();
        const record = buildAuditRecord(event, head.hash, BigInt(sequence), new Date());
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
