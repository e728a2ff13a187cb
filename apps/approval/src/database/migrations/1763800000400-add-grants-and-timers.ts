import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddGrantsAndTimers1763800000400 implements MigrationInterface {
  name = 'AddGrantsAndTimers1763800000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.access_requests
      ADD COLUMN okta_group_id text NOT NULL DEFAULT '',
      ADD COLUMN grant_id uuid,
      ADD COLUMN granted_at timestamptz,
      ADD COLUMN expires_at timestamptz,
      ADD COLUMN ending text CHECK (ending IN ('expired', 'revoked')),
      ADD COLUMN ended_by text,
      ADD COLUMN ended_at timestamptz,
      ADD COLUMN failure text`);
    // Timers live in the database so they survive restarts; replicas claim due ones with
    // FOR UPDATE SKIP LOCKED, so each fires once.
    await runner.query(`CREATE TABLE approval.timers (
      id bigserial PRIMARY KEY,
      request_id uuid NOT NULL REFERENCES approval.access_requests (id),
      kind text NOT NULL CHECK (kind IN ('timeout', 'expire')),
      due_at timestamptz NOT NULL,
      fired_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE UNIQUE INDEX timers_one_open_per_kind ON approval.timers (request_id, kind) WHERE fired_at IS NULL`);
    await runner.query(`CREATE INDEX timers_due_idx ON approval.timers (due_at) WHERE fired_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE approval.timers`);
    await runner.query(`ALTER TABLE approval.access_requests DROP COLUMN okta_group_id, DROP COLUMN grant_id, DROP COLUMN granted_at,
      DROP COLUMN expires_at, DROP COLUMN ending, DROP COLUMN ended_by, DROP COLUMN ended_at, DROP COLUMN failure`);
  }
}
