import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddGrantExpiry1763800000700 implements MigrationInterface {
  name = 'AddGrantExpiry1763800000700';

  async up(runner: QueryRunner): Promise<void> {
    // When the grant should end, so reconciliation can find memberships that outlived it.
    await runner.query(`ALTER TABLE provisioning.grants ADD COLUMN expires_at timestamptz`);
    await runner.query(`ALTER TABLE provisioning.grants DROP CONSTRAINT grants_state_check`);
    await runner.query(`ALTER TABLE provisioning.grants ADD CONSTRAINT grants_state_check CHECK (state IN ('granted', 'revoked', 'failed', 'removed_outside'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE provisioning.grants DROP CONSTRAINT grants_state_check`);
    await runner.query(`ALTER TABLE provisioning.grants ADD CONSTRAINT grants_state_check CHECK (state IN ('granted', 'revoked', 'failed'))`);
    await runner.query(`ALTER TABLE provisioning.grants DROP COLUMN expires_at`);
  }
}
