import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Grants, on top of the triggers: the role audit-reporting runs as keeps SELECT and INSERT on
 * the chain and its checkpoints and loses UPDATE, DELETE and TRUNCATE, so a change is refused
 * before any trigger runs. (A superuser keeps every privilege whatever is revoked; run the
 * service as an ordinary role — see docs/architecture.md, "Data".)
 */
export class AppendOnlyGrants1763800002300 implements MigrationInterface {
  name = 'AppendOnlyGrants1763800002300';

  async up(runner: QueryRunner): Promise<void> {
    for (const table of ['audit.records', 'audit.checkpoints']) {
      await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM PUBLIC`);
      await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM CURRENT_USER`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['audit.records', 'audit.checkpoints']) await runner.query(`GRANT UPDATE, DELETE, TRUNCATE ON ${table} TO CURRENT_USER`);
  }
}
