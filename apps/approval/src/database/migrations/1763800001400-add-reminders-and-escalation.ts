import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two more kinds of timer while a request waits (the flow's remindAfter and escalateAfter),
 * and when it was escalated: from then on its backup approvers may decide too.
 */
export class AddRemindersAndEscalation1763800001400 implements MigrationInterface {
  name = 'AddRemindersAndEscalation1763800001400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.timers DROP CONSTRAINT IF EXISTS timers_kind_check`);
    await runner.query(`ALTER TABLE approval.timers ADD CONSTRAINT timers_kind_check CHECK (kind IN ('timeout', 'expire', 'warn', 'remind', 'escalate'))`);
    await runner.query(`ALTER TABLE approval.access_requests ADD COLUMN escalated_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.access_requests DROP COLUMN escalated_at`);
    await runner.query(`DELETE FROM approval.timers WHERE kind IN ('remind', 'escalate')`);
    await runner.query(`ALTER TABLE approval.timers DROP CONSTRAINT IF EXISTS timers_kind_check`);
    await runner.query(`ALTER TABLE approval.timers ADD CONSTRAINT timers_kind_check CHECK (kind IN ('timeout', 'expire', 'warn'))`);
  }
}
