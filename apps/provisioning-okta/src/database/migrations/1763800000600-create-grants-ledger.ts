import { dropMessagingTablesSql, messagingTablesSql } from '@gatehouse/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateGrantsLedger1763800000600 implements MigrationInterface {
  name = 'CreateGrantsLedger1763800000600';

  async up(runner: QueryRunner): Promise<void> {
    // Every membership Gatehouse granted: what reconciliation and revocation go by.
    await runner.query(`CREATE TABLE provisioning.grants (
      grant_id uuid PRIMARY KEY,
      request_id uuid NOT NULL,
      user_email text NOT NULL,
      okta_user_id text,
      group_id text NOT NULL,
      state text NOT NULL CHECK (state IN ('granted', 'revoked', 'failed')),
      cause text,
      granted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX grants_active_idx ON provisioning.grants (user_email, group_id) WHERE state = 'granted'`);
    for (const sql of messagingTablesSql('provisioning')) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of dropMessagingTablesSql('provisioning')) await runner.query(sql);
    await runner.query(`DROP TABLE provisioning.grants`);
  }
}
