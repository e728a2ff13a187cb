import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who acted, as the channel proved it (person, service on behalf of a person, or system):
 * who asked for a request, who decided, and who ended it. `ended_by` held an email; it
 * becomes the actor, earlier rows recorded as people acting through the API.
 */
export class AddActors1763800000800 implements MigrationInterface {
  name = 'AddActors1763800000800';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.access_requests ADD COLUMN requested_by jsonb`);
    await runner.query(`ALTER TABLE approval.access_requests ALTER COLUMN ended_by TYPE jsonb USING
      CASE WHEN ended_by IS NULL THEN NULL
           ELSE jsonb_build_object('kind', 'person', 'channel', 'api', 'person', jsonb_build_object('email', ended_by)) END`);
    await runner.query(`ALTER TABLE approval.decisions ADD COLUMN actor jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.decisions DROP COLUMN actor`);
    await runner.query(`ALTER TABLE approval.access_requests ALTER COLUMN ended_by TYPE text USING ended_by #>> '{person,email}'`);
    await runner.query(`ALTER TABLE approval.access_requests DROP COLUMN requested_by`);
  }
}
