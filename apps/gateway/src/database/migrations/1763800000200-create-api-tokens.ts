import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiTokens1763800000200 implements MigrationInterface {
  name = 'CreateApiTokens1763800000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE gateway.api_tokens (
      id text PRIMARY KEY,
      name text NOT NULL,
      token_hash text NOT NULL,
      scopes text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE gateway.api_tokens`);
  }
}
