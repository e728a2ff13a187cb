import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each destination also ships the chain's signed checkpoints: the last one it has taken. */
export class CheckpointCursors1763800002100 implements MigrationInterface {
  name = 'CheckpointCursors1763800002100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE audit.destination_cursors ADD COLUMN delivered_checkpoint bigint NOT NULL DEFAULT 0`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE audit.destination_cursors DROP COLUMN delivered_checkpoint`);
  }
}
