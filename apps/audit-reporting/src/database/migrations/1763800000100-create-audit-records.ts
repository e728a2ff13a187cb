import { dropMessagingTablesSql, messagingTablesSql } from '@gatehouse/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { GENESIS_HASH } from '../../records/record-event/audit-record';

export class CreateAuditRecords1763800000100 implements MigrationInterface {
  name = 'CreateAuditRecords1763800000100';

  async up(runner: QueryRunner): Promise<void> {
    // Append-only: the application never updates or deletes a record.
    await runner.query(`CREATE TABLE audit.records (
      seq bigint PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      type text NOT NULL,
      subject text NOT NULL,
      correlation_id uuid NOT NULL,
      event_time timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL,
      record jsonb NOT NULL,
      hash char(64) NOT NULL UNIQUE,
      previous_hash char(64) NOT NULL
    )`);
    await runner.query(`CREATE INDEX records_subject_idx ON audit.records (subject, seq)`);
    // The head of the hash chain: one row, locked by each append so the chain stays linear.
    await runner.query(`CREATE TABLE audit.chain_head (id smallint PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, hash char(64) NOT NULL)`);
    await runner.query(`INSERT INTO audit.chain_head (id, seq, hash) VALUES (1, 0, $1)`, [GENESIS_HASH]);
    for (const sql of messagingTablesSql('audit')) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of dropMessagingTablesSql('audit')) await runner.query(sql);
    await runner.query(`DROP TABLE audit.chain_head`);
    await runner.query(`DROP TABLE audit.records`);
  }
}
