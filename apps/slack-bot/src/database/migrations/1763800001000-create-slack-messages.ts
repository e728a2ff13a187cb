import { dropMessagingTablesSql, messagingTablesSql } from '@gatehouse/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every message slack-bot posted about a request (channel, ts, who it was for), so each copy
 * can be brought up to date when the request moves; and the inbox that makes handling an
 * access event twice a no-op.
 */
export class CreateSlackMessages1763800001000 implements MigrationInterface {
  name = 'CreateSlackMessages1763800001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE slack_bot.messages (
      channel text NOT NULL,
      ts text NOT NULL,
      request_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('approval', 'requester')),
      recipient text,
      posted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (channel, ts)
    )`);
    await runner.query(`CREATE INDEX messages_request_idx ON slack_bot.messages (request_id)`);
    for (const sql of messagingTablesSql('slack_bot')) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of dropMessagingTablesSql('slack_bot')) await runner.query(sql);
    await runner.query(`DROP TABLE slack_bot.messages`);
  }
}
