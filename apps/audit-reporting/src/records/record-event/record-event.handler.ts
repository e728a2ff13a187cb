import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACCESS_EVENT_TYPES, AUDITED_PROVISIONING_EVENT_TYPES, type Envelope } from '@gatehouse/contracts';
import { UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { buildAuditRecord } from './audit-record';

/** Every access event becomes one audit record, appended to the hash chain exactly once. */
@Controller()
export class RecordEventHandler {
  constructor(@Inject(UnitOfWork) private readonly uow: UnitOfWork) {}

  @EventPattern([...ACCESS_EVENT_TYPES, ...AUDITED_PROVISIONING_EVENT_TYPES])
  async record(@Payload() event: Envelope): Promise<void> {
    await this.uow.consumeOnce(SERVICE, event, async (tx) => {
      const [head] = await tx.manager.query(`SELECT seq, hash FROM audit.chain_head WHERE id = 1 FOR UPDATE`);
      const sequence = BigInt(head.seq) + 1n;
      const record = buildAuditRecord(event, head.hash, sequence, new Date());
      await tx.manager.query(
        `INSERT INTO audit.records (seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [sequence.toString(), record.id, record.type, record.subject, record.correlationid, record.time, record.recordedat, JSON.stringify(record), record.hash, record.previoushash],
      );
      await tx.manager.query(`UPDATE audit.chain_head SET seq = $1, hash = $2 WHERE id = 1`, [sequence.toString(), record.hash]);
    });
  }
}
