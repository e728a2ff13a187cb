import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The people who have opened their App Home, by Slack user and email: only their Homes are
 * published again when a request moves (anyone else's is published fresh when they first open it).
 */
export class CreateHomeViewers1763800001500 implements MigrationInterface {
  name = 'CreateHomeViewers1763800001500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE slack_bot.home_viewers (
      user_id text PRIMARY KEY,
      email text NOT NULL,
      opened_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX home_viewers_email_idx ON slack_bot.home_viewers (email)`);
    // A Home's queued refreshes are done once for all (see SlackWorkRunner).
    await runner.query(`CREATE INDEX outgoing_home_idx ON slack_bot.outgoing ((payload->>'to')) WHERE kind = 'home'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX slack_bot.outgoing_home_idx`);
    await runner.query(`DROP TABLE slack_bot.home_viewers`);
  }
}
