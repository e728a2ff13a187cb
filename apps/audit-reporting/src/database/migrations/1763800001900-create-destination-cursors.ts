import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each audit destination has got to: the last record it has (at-least-once: the cursor
 * moves only after the destination took the batch), and its counts and last error.
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
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit.destination_cursors`);
  }
}
