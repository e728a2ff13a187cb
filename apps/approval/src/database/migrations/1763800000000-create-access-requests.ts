import { messagingTablesSql, dropMessagingTablesSql } from '@gatehouse/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccessRequests1763800000000 implements MigrationInterface {
  name = 'CreateAccessRequests1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE approval.access_requests (
      id uuid PRIMARY KEY,
      requester_email text NOT NULL,
      requester jsonb NOT NULL,
      flow text NOT NULL,
      target text NOT NULL,
      duration_seconds integer NOT NULL CHECK (duration_seconds > 0),
      reason text NOT NULL,
      channel text NOT NULL,
      status text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL
    )`);
    await runner.query(`CREATE INDEX access_requests_requester_idx ON approval.access_requests (requester_email, created_at DESC)`);
    for (const sql of messagingTablesSql('approval')) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of dropMessagingTablesSql('approval')) await runner.query(sql);
    await runner.query(`DROP TABLE approval.access_requests`);
  }
}
