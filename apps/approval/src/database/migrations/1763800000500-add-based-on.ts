import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddBasedOn1763800000500 implements MigrationInterface {
  name = 'AddBasedOn1763800000500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.access_requests
      ADD COLUMN based_on uuid REFERENCES approval.access_requests (id),
      ADD COLUMN based_on_kind text CHECK (based_on_kind IN ('extension', 'again'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE approval.access_requests DROP COLUMN based_on_kind, DROP COLUMN based_on`);
  }
}
