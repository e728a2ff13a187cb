import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A third kind of timer: the requester is warned before access ends (the flow's expiryWarning). */
export class AddExpiryWarnings1763800001300 implements MigrationInterface {
  name = 'AddExpiryWarnings1763800001300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.timers DROP CONSTRAINT IF EXISTS timers_kind_check`);
    await runner.query(`ALTER TABLE approval.timers ADD CONSTRAINT timers_kind_check CHECK (kind IN ('timeout', 'expire', 'warn'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM approval.timers WHERE kind = 'warn'`);
    await runner.query(`ALTER TABLE approval.timers DROP CONSTRAINT IF EXISTS timers_kind_check`);
    await runner.query(`ALTER TABLE approval.timers ADD CONSTRAINT timers_kind_check CHECK (kind IN ('timeout', 'expire'))`);
  }
}
