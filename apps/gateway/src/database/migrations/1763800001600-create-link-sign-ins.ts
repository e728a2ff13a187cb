import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Okta sign-ins under way for account linking: one row per `state`, used once, for ten
 * minutes. It holds the PKCE verifier and nonce of that sign-in, and a digest of the cookie of
 * the browser that started it (so a callback from another browser is refused).
 */
export class CreateLinkSignIns1763800001600 implements MigrationInterface {
  name = 'CreateLinkSignIns1763800001600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE gateway.link_sign_ins (
      state_hash text PRIMARY KEY,
      link_token text NOT NULL,
      code_verifier text NOT NULL,
      nonce text NOT NULL,
      browser_hash text NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE gateway.link_sign_ins`);
  }
}
