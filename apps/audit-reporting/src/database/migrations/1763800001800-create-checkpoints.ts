import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the chain: its size, Merkle root and last hash, signed with an Ed25519
 * key the database does not hold. The frontier lets the next checkpoint read only newer records.
 * Append-only like the records.
 */
export class CreateCheckpoints1763800001800 implements MigrationInterface {
  name = 'CreateCheckpoints1763800001800';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE audit.checkpoints (
      size bigint PRIMARY KEY,
      root char(64) NOT NULL,
      head_hash char(64) NOT NULL,
      created_at timestamptz NOT NULL,
      key_id text NOT NULL,
      signature text NOT NULL,
      frontier jsonb NOT NULL
    )`);
    await runner.query(`CREATE TRIGGER checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit.checkpoints FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
    await runner.query(`CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON audit.checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit.checkpoints`);
  }
}
