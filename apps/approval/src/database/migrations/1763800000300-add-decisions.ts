import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddDecisions1763800000300 implements MigrationInterface {
  name = 'AddDecisions1763800000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.access_requests
      ADD COLUMN target_label text NOT NULL DEFAULT '',
      ADD COLUMN approvals_required integer NOT NULL DEFAULT 1 CHECK (approvals_required > 0),
      ADD CONSTRAINT access_requests_status_check CHECK (status IN
        ('PENDING','APPROVED','GRANTING','ACTIVE','EXPIRED','REVOKED','DENIED','CANCELLED','TIMED_OUT','GRANT_FAILED'))`);
    await runner.query(`CREATE INDEX access_requests_status_idx ON approval.access_requests (status, created_at DESC)`);
    await runner.query(`CREATE TABLE approval.decisions (
      id bigserial PRIMARY KEY,
      request_id uuid NOT NULL REFERENCES approval.access_requests (id),
      approver_email text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('approve', 'deny')),
      reason text,
      decided_at timestamptz NOT NULL DEFAULT now()
    )`);
    // The database, too, refuses a second approval by the same person.
    await runner.query(`CREATE UNIQUE INDEX decisions_one_approval_each ON approval.decisions (request_id, approver_email) WHERE kind = 'approve'`);
    await runner.query(`CREATE INDEX decisions_request_idx ON approval.decisions (request_id, id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE approval.decisions`);
    await runner.query(`DROP INDEX approval.access_requests_status_idx`);
    await runner.query(`ALTER TABLE approval.access_requests DROP CONSTRAINT access_requests_status_check, DROP COLUMN approvals_required, DROP COLUMN target_label`);
  }
}
