import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A token is personal (owned by one person, acting only as them) or a service's (acting as
 * itself, or for a named person with act-as). Tokens minted before owners existed become
 * service tokens: they keep working, but can no longer act as whoever a body names.
 */
export class AddTokenOwners1763800000900 implements MigrationInterface {
  name = 'AddTokenOwners1763800000900';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE gateway.api_tokens
      ADD COLUMN kind text NOT NULL DEFAULT 'service' CHECK (kind IN ('personal', 'service')),
      ADD COLUMN owner_email text,
      ADD CONSTRAINT api_tokens_owner_check CHECK ((kind = 'personal') = (owner_email IS NOT NULL))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE gateway.api_tokens DROP CONSTRAINT api_tokens_owner_check, DROP COLUMN owner_email, DROP COLUMN kind`);
  }
}
