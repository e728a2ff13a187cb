import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack work waiting to be done (post, update, reply, DM), written in the same transaction as
 * the event that called for it, so a crash or a Slack outage delays it but never loses it.
 * One request's work is done in order (`request_id`, `id`). And the deliveries already handled
 * (Slack's event_id, or a digest of the payload), so a retry from Slack has no second effect.
 */
export class CreateSlackOutgoing1763800001100 implements MigrationInterface {
  name = 'CreateSlackOutgoing1763800001100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE slack_bot.outgoing (
      id bigserial PRIMARY KEY,
      request_id uuid NOT NULL,
      kind text NOT NULL,
      payload jsonb NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      due_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX outgoing_request_idx ON slack_bot.outgoing (request_id, id)`);
    await runner.query(`CREATE INDEX outgoing_due_idx ON slack_bot.outgoing (due_at, id)`);
    await runner.query(`CREATE TABLE slack_bot.deliveries (key text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())`);
    await runner.query(`CREATE INDEX deliveries_received_idx ON slack_bot.deliveries (received_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE slack_bot.deliveries`);
    await runner.query(`DROP TABLE slack_bot.outgoing`);
  }
}
