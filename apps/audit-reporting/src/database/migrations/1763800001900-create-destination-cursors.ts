import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each audit destination has got to: the last record it has (at-least-once: the cursor
 * moves only after the destination took the batch), its counts, last error and state; and the
 * records a destination refused for good.
 */
export class CreateDestinationCursors1763800001900 implements MigrationInterface {
  name = 'CreateDestinationCursors1763800001900';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE audit.destination_cursors (
      name text PRIMARY KEY,
      delivered_seq bigint NOT NULL DEFAULT 0,
      delivered bigint NOT NULL DEFAULT 0,
      failed bigint NOT NULL DEFAULT 0,
      last_error text,
      /** paused: the destination refuses our credentials (401/403); nothing passes until fixed. */
      state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused')),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Records a destination refused for good (a 4xx other than 401/403/408/413/429), with why.
    await runner.query(`CREATE TABLE audit.destination_quarantine (
      name text NOT NULL,
      seq bigint NOT NULL,
      record_id uuid NOT NULL,
      reason text NOT NULL,
      quarantined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, seq)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit.destination_quarantine`);
    await runner.query(`DROP TABLE audit.destination_cursors`);
  }
}
