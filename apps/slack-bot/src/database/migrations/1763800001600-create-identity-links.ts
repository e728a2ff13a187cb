import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack accounts linked to Okta accounts by signing in (`identity_links`), and the one-time
 * tokens that start such a sign-in (`link_tokens`, kept as digests, good for ten minutes).
 */
export class CreateIdentityLinks1763800001600 implements MigrationInterface {
  name = 'CreateIdentityLinks1763800001600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE slack_bot.identity_links (
      slack_user_id text PRIMARY KEY,
      email text NOT NULL,
      issuer text NOT NULL,
      subject text NOT NULL,
      linked_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX identity_links_email_idx ON slack_bot.identity_links (email)`);
    await runner.query(`CREATE TABLE slack_bot.link_tokens (
      token_hash text PRIMARY KEY,
      slack_user_id text NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE slack_bot.link_tokens`);
    await runner.query(`DROP TABLE slack_bot.identity_links`);
  }
}
